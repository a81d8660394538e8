#include "matrix/well_known.h"

#include <nlohmann/json.hpp>

namespace hsops::matrix {

Result<std::optional<std::string>> parse_client_well_known(long status, const std::string& body) {
  if (status == 404) return std::optional<std::string>{};
  if (status != 200) return Error{ErrorKind::well_known, "/.well-known/matrix/client answered HTTP " + std::to_string(status) + " (expected 200 or 404)"};
  if (body.empty()) return Error{ErrorKind::well_known, "/.well-known/matrix/client is empty"};
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorKind::well_known, std::string("/.well-known/matrix/client is not valid JSON: ") + e.what()};
  }
  if (!doc.is_object()) return Error{ErrorKind::well_known, "/.well-known/matrix/client is not a JSON object"};
  const auto hs = doc.find("m.homeserver");
  if (hs == doc.end() || !hs->is_object() || !hs->contains("base_url") || !(*hs)["base_url"].is_string()) {
    return Error{ErrorKind::well_known, "/.well-known/matrix/client has no m.homeserver.base_url string"};
  }
  std::string url = (*hs)["base_url"].get<std::string>();
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    return Error{ErrorKind::well_known, "/.well-known/matrix/client m.homeserver.base_url '" + url + "' is not an http(s) URL"};
  }
  while (!url.empty() && url.back() == '/') url.pop_back();
  return std::optional<std::string>{url};
}

std::optional<std::string> parse_server_well_known(long status, const std::string& body, std::string& why) {
  if (status != 200) {
    why = "/.well-known/matrix/server answered HTTP " + std::to_string(status);
    return std::nullopt;
  }
  // The spec: parse as JSON whatever the Content-Type says.
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    why = "/.well-known/matrix/server is not a JSON object";
    return std::nullopt;
  }
  const auto it = doc.find("m.server");
  if (it == doc.end() || !it->is_string() || it->get<std::string>().empty()) {
    why = "/.well-known/matrix/server has no m.server string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

}  // namespace hsops::matrix
