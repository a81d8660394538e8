// The spec's discovery rules: 404 = use the configured URL, anything else wrong = fail with why.
#include <catch2/catch.hpp>

#include "matrix/well_known.h"

using namespace hsops::matrix;

TEST_CASE("client well-known: 404 means use the configured URL", "[matrix][well_known]") {
  auto r = parse_client_well_known(404, "not found");
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().has_value());
}

TEST_CASE("client well-known: a base_url is used / trailing slash dropped", "[matrix][well_known]") {
  auto r = parse_client_well_known(200, R"({"m.homeserver":{"base_url":"https://matrix.example.org/"},"m.identity_server":{}})");
  REQUIRE(r.ok());
  CHECK(r.value() == std::optional<std::string>("https://matrix.example.org"));
}

TEST_CASE("client well-known: broken answers fail with the reason", "[matrix][well_known]") {
  auto reason = [](long status, const char* body) {
    auto r = parse_client_well_known(status, body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == hsops::ErrorKind::well_known);
    return r.error().message;
  };
  CHECK(reason(200, "{\"m.homeserver\": ").find("not valid JSON") != std::string::npos);
  CHECK(reason(200, "").find("empty") != std::string::npos);
  CHECK(reason(200, "[1]").find("not a JSON object") != std::string::npos);
  CHECK(reason(200, R"({"m.homeserver":{}})").find("base_url") != std::string::npos);
  CHECK(reason(200, R"({"m.homeserver":{"base_url":"matrix.example.org"}})").find("not an http(s) URL") != std::string::npos);
  CHECK(reason(500, "oops").find("HTTP 500") != std::string::npos);
}

TEST_CASE("server well-known: m.server / or why not (never fatal)", "[matrix][well_known]") {
  std::string why;
  CHECK(parse_server_well_known(200, R"({"m.server":"fed.example.org:443"})", why) == std::optional<std::string>("fed.example.org:443"));
  CHECK_FALSE(parse_server_well_known(200, "<html>", why).has_value());
  CHECK(why.find("not a JSON object") != std::string::npos);
  CHECK_FALSE(parse_server_well_known(404, "", why).has_value());
  CHECK(why.find("404") != std::string::npos);
  CHECK_FALSE(parse_server_well_known(200, R"({"m.server":""})", why).has_value());
}
