// JSON over the HTTP client. Bodies are parsed without exceptions escaping: a peer sending
// HTML where JSON belongs (a proxy's error page, say) is an expected runtime failure.
#include "net/json.h"

#include <algorithm>
#include <cctype>

namespace hsops::net {

namespace {

bool same_name(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

// Sets a header, replacing any the caller set under the same name (in any case).
void set_header(Request& request, const std::string& name, const std::string& value) {
  auto& headers = request.headers;
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& header) { return same_name(header.first, name); }),
                headers.end());
  headers.emplace_back(name, value);
}

}  // namespace

Result<nlohmann::json> parse_json(const Response& response, const std::string& url) {
  try {
    return nlohmann::json::parse(response.body);
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorKind::parse, redact_url(url) + ": response is not JSON: " + e.what()};
  }
}

// A JSON null `body` sends no body at all (a GET that expects JSON back); anything else is
// serialised, with invalid UTF-8 replaced rather than thrown on.
Result<JsonResponse> perform_json(Request request, const nlohmann::json& body) {
  set_header(request, "Accept", "application/json");
  if (!body.is_null()) {
    set_header(request, "Content-Type", "application/json");
    request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  auto result = perform(request);
  if (!result) return result.error();
  JsonResponse out{std::move(result).value(), nullptr};
  if (!out.http.body.empty()) {
    out.json = nlohmann::json::parse(out.http.body, nullptr, /*allow_exceptions=*/false);
    if (out.json.is_discarded()) out.json = nullptr;
  }
  return out;
}

}  // namespace hsops::net
