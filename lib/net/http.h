// The one HTTP client (libcurl). Every request has a connect deadline and a total deadline,
// TLS verification is always on, and failures come back as values with a reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hsops::net {

struct Deadlines {
  std::chrono::milliseconds connect{3000};
  std::chrono::milliseconds total{10000};
};

// Retries are opt-in. Retried: "timeout", "connect_timeout", "refused", "dns", "network"
// (not "tls", "url", nor an over-size body: those do not fix themselves), and HTTP 5xx only
// with on_5xx. Worst-case wall time of one perform() is
//   attempts * deadlines.total + initial_backoff * (2^(attempts-1) - 1)
// (each attempt has the full total deadline, the backoffs between them double); perform()
// enforces that budget itself, so a slow peer cannot stretch it. Callers retrying a
// non-idempotent request (POST) decide that this is safe.
struct Retry {
  int attempts = 1;                              // 1 = no retry (the default); < 1 means 1, > 20 means 20
  std::chrono::milliseconds initial_backoff{200};  // doubled after each failed attempt; < 0 means 0
  bool on_5xx = false;                           // also retry HTTP 5xx (network errors always)
};

struct Request {
  std::string method = "GET";  // an upper-case token ("GET", "PUT", ...); else Error{ErrorKind::url}
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  Deadlines deadlines;
  Retry retry;
  std::string ca_file;  // extra CA bundle; "" = system store. Verification is never disabled.
  // Added by lib/net: Matrix clients must see 3xx themselves, so redirects are off by default.
  // When on, at most 5 hops, http/https only; the headers returned are the final hop's.
  bool follow_redirects = false;
  // Added by lib/net: a hostile or broken peer must not exhaust memory. A larger body fails
  // with Error{ErrorKind::network, "...response larger than ..."}.
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

struct Response {
  long status = 0;
  // Header names lower-cased; the last value wins for repeated names.
  std::map<std::string, std::string> headers;
  std::string body;
  // Duration of the attempt that produced this response (steady_clock), so a caller bounding
  // a clock offset by the round trip (HTTP Date cross-check) gets the right figure.
  std::chrono::milliseconds elapsed{0};
  int attempts = 1;  // added by lib/net: how many attempts perform() made (retries + 1)
  std::string header(const std::string& lower_name) const;  // "" when absent
};

// Error kinds: "timeout", "connect_timeout", "refused", "dns", "tls", "network", "url".
// An HTTP 4xx/5xx is a Response, not an Error: callers classify it. When 5xx retries are
// exhausted, the last 5xx Response is returned. Zero or negative deadlines are rejected with
// Error{ErrorKind::url, ...}: there is no "no timeout". Error messages name the method and the
// (redacted) URL, never request headers or bodies. Thread-safe; one connection per call.
Result<Response> perform(const Request& request);

Result<Response> get(const std::string& url, Deadlines deadlines = {});

// Added by lib/net. The URL as it may appear in messages and logs: "user:password@" is
// dropped and the values of secret-looking query parameters (access_token, *token*,
// *secret*, *password*, sig*) become "REDACTED".
std::string redact_url(const std::string& url);

// Pure helpers behind perform(), exposed for unit tests.
namespace detail {

// Collects one response header block, fed line by line as CURLOPT_HEADERFUNCTION delivers
// them (CRLF included). A status line ("HTTP/1.1 100 Continue", or a redirect hop's) starts
// a new block, so only the final response's headers remain. Names are lower-cased, values
// trimmed, obs-fold continuation lines appended, the last value wins for repeated names.
class HeaderBlock {
 public:
  void feed(std::string_view raw_line);
  const std::map<std::string, std::string>& headers() const { return headers_; }
  long status() const { return status_; }  // from the last status line; 0 before one

 private:
  std::map<std::string, std::string> headers_;
  std::string last_name_;
  long status_ = 0;
};

// The Error kind for a libcurl result code (a CURLcode as int, so curl stays out of this
// header). `connected`: the connection (TCP, and TLS for https) was up when it failed; it
// splits CURLE_OPERATION_TIMEDOUT into "timeout" and "connect_timeout".
ErrorKind classify_curl_code(int curl_code, bool connected);

// Worst-case wall time perform() allows for `request` across all attempts (see Retry).
std::chrono::milliseconds retry_budget(const Request& request);

}  // namespace detail

}  // namespace hsops::net
