// Matrix API errors as values. A non-2xx answer becomes an Error of kind ErrorKind::matrix with
// the errcode ("M_FORBIDDEN", "M_LIMIT_EXCEEDED", ...) in Error::errcode, or of kind http_4xx /
// http_5xx when the body is not a Matrix error (a proxy's page). Messages name the call, never
// tokens or passwords.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "net/http.h"

namespace hsops::matrix {

struct ApiError {
  long status = 0;
  std::string errcode;  // "" when the body had none
  std::string error;    // the server's text, trimmed to a sane length
  bool soft_logout = false;
};

ApiError parse_api_error(const net::Response& response);

// How long a 429 asks us to wait: the Retry-After header first (delta-seconds or an HTTP
// date, per RFC 9110), then the deprecated body field retry_after_ms; nullopt when neither.
std::optional<std::chrono::milliseconds> retry_after(const net::Response& response,
                                                     std::chrono::system_clock::time_point now);

// "POST /login: 403 M_FORBIDDEN: Invalid username or password", kind matrix, errcode M_FORBIDDEN.
Error to_error(const ApiError& api, const std::string& what);

// One sentence of advice for an error (by Matrix errcode or lib/net kind), "" if none.
std::string advice(const Error& error);

}  // namespace hsops::matrix
