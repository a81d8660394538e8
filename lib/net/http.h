// The one HTTP client (libcurl). Every request has a connect deadline and a total deadline,
// TLS verification is always on, and failures come back as values with a reason.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace hsops::net {

struct Deadlines {
  std::chrono::milliseconds connect{3000};
  std::chrono::milliseconds total{10000};
};

struct Retry {
  int attempts = 1;                              // 1 = no retry (the default)
  std::chrono::milliseconds initial_backoff{200};  // doubled after each failed attempt
  bool on_5xx = false;                           // also retry HTTP 5xx (network errors always)
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> body;
  Deadlines deadlines;
  Retry retry;
  std::string ca_file;  // extra CA bundle; "" = system store. Verification is never disabled.
};

struct Response {
  long status = 0;
  // Header names lower-cased; the last value wins for repeated names.
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::milliseconds elapsed{0};
  std::string header(const std::string& lower_name) const;  // "" when absent
};

// Error kinds: "timeout", "connect_timeout", "refused", "dns", "tls", "network", "url".
// An HTTP 4xx/5xx is a Response, not an Error: callers classify it.
Result<Response> perform(const Request& request);

Result<Response> get(const std::string& url, Deadlines deadlines = {});

}  // namespace hsops::net
