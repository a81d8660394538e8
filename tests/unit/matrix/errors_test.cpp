// Matrix error classification and the 429 wait: header first, then retry_after_ms.
#include <catch2/catch.hpp>

#include "matrix/errors.h"

using namespace hsops;
using namespace hsops::matrix;

namespace {
net::Response response(long status, std::string body, std::map<std::string, std::string> headers = {}) {
  net::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}
const auto kNow = std::chrono::system_clock::from_time_t(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
}  // namespace

TEST_CASE("errors are classified by errcode", "[matrix][errors]") {
  const auto e = to_error(parse_api_error(response(403, R"({"errcode":"M_FORBIDDEN","error":"Invalid username or password"})")),
                          "POST /_matrix/client/v3/login");
  CHECK(e.errcode == "M_FORBIDDEN");
  CHECK(e.message == "POST /_matrix/client/v3/login: HTTP 403 M_FORBIDDEN: Invalid username or password");
  const auto t = to_error(parse_api_error(response(401, R"({"errcode":"M_UNKNOWN_TOKEN","error":"x","soft_logout":true})")), "GET /sync");
  CHECK(t.errcode == "M_UNKNOWN_TOKEN");
  CHECK(t.message.find("soft logout") != std::string::npos);
  CHECK(to_error(parse_api_error(response(502, "<html>Bad gateway</html>")), "GET /x").kind == hsops::ErrorKind::http_5xx);
  CHECK(to_error(parse_api_error(response(404, "")), "GET /x").kind == hsops::ErrorKind::http_4xx);
  CHECK_FALSE(advice(hsops::Error{hsops::ErrorKind::matrix, "", "M_FORBIDDEN"}).empty());
  CHECK_FALSE(advice(hsops::Error{hsops::ErrorKind::timeout, ""}).empty());
}

TEST_CASE("a long server error text is trimmed", "[matrix][errors]") {
  const auto api = parse_api_error(response(500, R"({"errcode":"M_UNKNOWN","error":")" + std::string(1000, 'x') + "\"}"));
  CHECK(api.error.size() < 300);
}

TEST_CASE("Retry-After wins over retry_after_ms", "[matrix][errors]") {
  const std::string body = R"({"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":2500})";
  CHECK(retry_after(response(429, body, {{"retry-after", "2"}}), kNow) == std::chrono::milliseconds(2000));
  CHECK(retry_after(response(429, body), kNow) == std::chrono::milliseconds(2500));
  CHECK(retry_after(response(429, body, {{"retry-after", "Tue, 14 Nov 2023 22:13:23 GMT"}}), kNow) == std::chrono::milliseconds(3000));
  CHECK(retry_after(response(429, body, {{"retry-after", "Tue, 14 Nov 2023 22:13:00 GMT"}}), kNow) == std::chrono::milliseconds(0));
  CHECK(retry_after(response(429, body, {{"retry-after", "soon"}}), kNow) == std::chrono::milliseconds(2500));
  CHECK_FALSE(retry_after(response(429, R"({"errcode":"M_LIMIT_EXCEEDED"})"), kNow).has_value());
}
