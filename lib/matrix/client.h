// A small Matrix API client over lib/net. One Client serves one check run: every call is
// bounded by the run's deadline (connect + total from config, never past the deadline), and
// 429 answers are retried after Retry-After / retry_after_ms only while that fits the deadline.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "net/http.h"

namespace hsops::matrix {

// Percent-encodes everything but RFC 3986 unreserved characters (for room ids, txn ids, ...).
std::string url_encode(std::string_view text);

struct ClientOptions {
  std::string base_url;     // "https://matrix.example.org" (a trailing slash is dropped)
  net::Deadlines deadlines; // per request; each is also capped by the run's deadline
  std::string ca_file;
  int max_rate_limit_retries = 3;
  // Federation: the server name (or delegated name) when connecting to another host
  // (SRV target, test address). "" = the URL's host.
  std::string host_header;
};

class Client {
 public:
  Client(ClientOptions options, const Clock& clock, std::chrono::steady_clock::time_point deadline);

  void set_access_token(std::string token) { token_ = std::move(token); }
  bool has_access_token() const { return !token_.empty(); }
  void set_base_url(std::string base_url);
  const std::string& base_url() const { return options_.base_url; }

  // Any URL, no classification: for discovery, where a 404 is an answer.
  Result<net::Response> fetch(const std::string& url, bool follow_redirects = false) const;

  // method + path (below base_url) -> the JSON object of a 2xx answer. Non-2xx -> Error with
  // the errcode as kind (see errors.h); 429 retried within the deadline; `extra` lengthens the
  // request's own total deadline (a /sync long-poll), still capped by the run's deadline.
  Result<nlohmann::json> call(std::string_view method, const std::string& path, const nlohmann::json& body = nullptr,
                              std::chrono::milliseconds extra = std::chrono::milliseconds(0));

  int rate_limited() const { return rate_limited_; }  // 429s seen (retried or not)
  std::chrono::milliseconds remaining() const;

 private:
  Result<net::Request> request_for(std::string_view method, const std::string& url,
                                   std::chrono::milliseconds extra) const;

  ClientOptions options_;
  const Clock& clock_;
  std::chrono::steady_clock::time_point deadline_;
  std::string token_;
  int rate_limited_ = 0;
};

}  // namespace hsops::matrix
