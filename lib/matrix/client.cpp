#include "matrix/client.h"

#include <algorithm>
#include <cctype>

#include "matrix/errors.h"
#include "net/json.h"

namespace hsops::matrix {
namespace {

using std::chrono::milliseconds;

// Without Retry-After or retry_after_ms: wait this long before the first retry (then double).
constexpr milliseconds kDefaultRateLimitWait{1000};

std::string path_only(const std::string& path) { return path.substr(0, path.find('?')); }

// lib/net names the whole URL; a /sync query (filter JSON, since token) only makes the
// operator's line long, so the message keeps the URL up to the '?'.
Error without_query(Error e, const std::string& url) {
  const std::string shown = net::redact_url(url);
  if (const auto at = e.message.find(shown); at != std::string::npos && shown.find('?') != std::string::npos) {
    e.message.replace(at, shown.size(), path_only(shown));
  }
  return e;
}

}  // namespace

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

Client::Client(ClientOptions options, const Clock& clock, std::chrono::steady_clock::time_point deadline)
    : options_(std::move(options)), clock_(clock), deadline_(deadline) {
  set_base_url(options_.base_url);
}

void Client::set_base_url(std::string base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  options_.base_url = std::move(base_url);
}

milliseconds Client::remaining() const {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline_ - clock_.monotonic()));
}

Result<net::Request> Client::request_for(std::string_view method, const std::string& url, milliseconds extra) const {
  const milliseconds left = remaining();
  if (left.count() <= 0) {
    return Error{ErrorKind::timeout, std::string(method) + " " + net::redact_url(url) + ": not started, the check's deadline has passed"};
  }
  net::Request r;
  r.method = std::string(method);
  r.url = url;
  r.ca_file = options_.ca_file;
  r.deadlines.total = std::min(options_.deadlines.total + extra, left);
  r.deadlines.connect = std::min(options_.deadlines.connect, r.deadlines.total);
  if (!token_.empty()) r.headers.emplace_back("Authorization", "Bearer " + token_);
  if (!options_.host_header.empty()) r.headers.emplace_back("Host", options_.host_header);
  return r;
}

Result<net::Response> Client::fetch(const std::string& url, bool follow_redirects) const {
  auto request = request_for("GET", url, milliseconds(0));
  if (!request) return request.error();
  request.value().follow_redirects = follow_redirects;
  // Discovery is unauthenticated, and goes to the URL's own host.
  request.value().headers.clear();
  return net::perform(request.value());
}

Result<nlohmann::json> Client::call(std::string_view method, const std::string& path, const nlohmann::json& body,
                                    milliseconds extra) {
  const std::string what = std::string(method) + " " + path_only(path);
  milliseconds backoff = kDefaultRateLimitWait;
  for (int attempt = 0;; ++attempt) {
    auto request = request_for(method, options_.base_url + path, extra);
    if (!request) return request.error();
    auto answer = net::perform_json(request.value(), body);
    if (!answer) return without_query(answer.error(), options_.base_url + path);
    const auto& http = answer.value().http;
    if (http.status >= 200 && http.status < 300) {
      if (!answer.value().json.is_object()) return Error{ErrorKind::parse, what + ": HTTP " + std::to_string(http.status) + " but the body is not a JSON object"};
      return answer.value().json;
    }
    const ApiError api = parse_api_error(http);
    if (http.status != 429) return to_error(api, what);
    ++rate_limited_;
    // Retrying the same request is safe: sends reuse their txnId, so the server deduplicates.
    const milliseconds wait = retry_after(http, clock_.now()).value_or(backoff);
    backoff *= 2;
    if (attempt >= options_.max_rate_limit_retries || wait >= remaining()) {
      Error e = to_error(api.errcode.empty() ? ApiError{429, "M_LIMIT_EXCEEDED", api.error, false} : api, what);
      e.message += " (asked to retry after " + std::to_string(wait.count()) + " ms; " +
                   (attempt >= options_.max_rate_limit_retries ? "gave up after " + std::to_string(attempt + 1) + " attempts"
                                                                : "that is beyond the check's deadline") + ")";
      return e;
    }
    clock_.sleep_for(wait);
  }
}

}  // namespace hsops::matrix
