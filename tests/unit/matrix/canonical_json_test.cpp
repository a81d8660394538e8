// Canonical JSON: the spec's own examples (appendices, "Canonical JSON") and the refusals.
#include <catch2/catch.hpp>

#include "matrix/canonical_json.h"

using hsops::matrix::canonical_json;
using nlohmann::json;

namespace {
std::string canon(const char* text) {
  auto r = canonical_json(json::parse(text));
  REQUIRE(r.ok());
  return r.value();
}
}  // namespace

TEST_CASE("canonical JSON matches the spec's examples", "[matrix][canonical]") {
  CHECK(canon("{}") == "{}");
  CHECK(canon(R"({ "one": 1, "two": "Two" })") == R"({"one":1,"two":"Two"})");
  CHECK(canon(R"({ "b": "2", "a": "1" })") == R"({"a":"1","b":"2"})");
  CHECK(canon(R"({"auth":{"success":true,"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe",
    "three_pids":[{"medium":"email","address":"john.doe@example.org"},{"medium":"msisdn","address":"123456789"}]}}})") ==
        R"({"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}})");
  CHECK(canon(R"({"a": "日本語"})") == R"({"a":"日本語"})");
  CHECK(canon(R"({"本": 2, "日": 1})") == R"({"日":1,"本":2})");
  CHECK(canon(R"({"a": "\u65E5"})") == R"({"a":"日"})");
  CHECK(canon(R"({"a": null})") == R"({"a":null})");
}

TEST_CASE("canonical JSON escapes only what the grammar requires", "[matrix][canonical]") {
  CHECK(canon(R"({"a":"q\"b\\n\n t\t c\u0001 d\u001f"})") == "{\"a\":\"q\\\"b\\\\n\\n t\\t c\\u0001 d\\u001f\"}");
  CHECK(canon(R"({"a":"\/"})") == R"({"a":"/"})");  // no redundant escapes
  CHECK(canon(R"({"a":[1,-2,0,9007199254740991]})") == R"({"a":[1,-2,0,9007199254740991]})");
}

TEST_CASE("canonical JSON refuses floats and out-of-range integers / naming where", "[matrix][canonical]") {
  auto f = canonical_json(json::parse(R"({"a":{"b":[1, 2.5]}})"));
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().kind == hsops::ErrorKind::canonical_json);
  CHECK(f.error().message.find("$.a.b[1]") != std::string::npos);
  CHECK_FALSE(canonical_json(json::parse(R"({"a":9007199254740992})")).ok());
  CHECK_FALSE(canonical_json(json::parse(R"({"a":-9007199254740992})")).ok());
}

TEST_CASE("canonical JSON refuses invalid UTF-8 instead of guessing", "[matrix][canonical]") {
  json j = {{"a", std::string("\xff\xfe")}};
  CHECK_FALSE(canonical_json(j).ok());
}
