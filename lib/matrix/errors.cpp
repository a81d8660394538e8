#include "matrix/errors.h"

#include <cctype>
#include <ctime>

#include <nlohmann/json.hpp>

namespace hsops::matrix {
namespace {

constexpr std::size_t kMaxErrorText = 200;

std::optional<std::chrono::milliseconds> parse_delta_seconds(const std::string& v) {
  if (v.empty() || v.size() > 9) return std::nullopt;
  for (const char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  return std::chrono::seconds(std::stol(v));
}

// IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders to use.
std::optional<std::chrono::system_clock::time_point> parse_http_date(const std::string& v) {
  std::tm tm{};
  const char* end = ::strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

// Advice for a Matrix errcode, "" for one without.
std::string matrix_advice(const std::string& errcode) {
  if (errcode == "M_FORBIDDEN") return "the server refused: wrong password or user, or no permission in the room";
  if (errcode == "M_UNKNOWN_TOKEN" || errcode == "M_MISSING_TOKEN") return "the access token is not valid: log in again or replace the token file";
  if (errcode == "M_LIMIT_EXCEEDED") return "rate limited: exempt the probe user (Synapse admin API override_ratelimit)";
  if (errcode == "M_USER_DEACTIVATED") return "the probe account is deactivated";
  if (errcode == "M_RESOURCE_LIMIT_EXCEEDED") return "the server hit a resource limit (e.g. monthly active users)";
  if (errcode == "M_UNRECOGNIZED") return "the server does not offer this endpoint";
  return "";
}

}  // namespace

ApiError parse_api_error(const net::Response& response) {
  ApiError api;
  api.status = response.status;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object()) {
    if (body.contains("errcode") && body["errcode"].is_string()) api.errcode = body["errcode"].get<std::string>();
    if (body.contains("error") && body["error"].is_string()) api.error = body["error"].get<std::string>();
    if (body.contains("soft_logout") && body["soft_logout"].is_boolean()) api.soft_logout = body["soft_logout"].get<bool>();
  }
  if (api.error.size() > kMaxErrorText) api.error = api.error.substr(0, kMaxErrorText) + "...";
  return api;
}

std::optional<std::chrono::milliseconds> retry_after(const net::Response& response,
                                                     std::chrono::system_clock::time_point now) {
  const std::string header = response.header("retry-after");
  if (!header.empty()) {
    if (auto delta = parse_delta_seconds(header)) return delta;
    if (auto when = parse_http_date(header)) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
      return std::max(wait, std::chrono::milliseconds(0));
    }
  }
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("retry_after_ms") && body["retry_after_ms"].is_number_integer()) {
    return std::chrono::milliseconds(std::max<std::int64_t>(0, body["retry_after_ms"].get<std::int64_t>()));
  }
  return std::nullopt;
}

Error to_error(const ApiError& api, const std::string& what) {
  std::string message = what + ": HTTP " + std::to_string(api.status);
  if (!api.errcode.empty()) message += " " + api.errcode;
  if (!api.error.empty()) message += ": " + api.error;
  if (api.soft_logout) message += " (soft logout)";
  if (!api.errcode.empty()) return Error{ErrorKind::matrix, message, api.errcode};
  return Error{api.status >= 500 ? ErrorKind::http_5xx : ErrorKind::http_4xx, message};
}

std::string advice(const Error& error) {
  switch (error.kind) {
    case ErrorKind::matrix: return matrix_advice(error.errcode);
    case ErrorKind::http_5xx: return "the server or a proxy in front of it failed";
    case ErrorKind::timeout:
    case ErrorKind::connect_timeout: return "no answer within the deadline: server hung, overloaded or unreachable";
    case ErrorKind::refused: return "nothing listens there: the server (or its proxy) is down";
    case ErrorKind::dns: return "the host name does not resolve";
    case ErrorKind::tls: return "TLS failed: certificate expired, wrong name or untrusted CA";
    default: return "";
  }
}

}  // namespace hsops::matrix
