#include <catch2/catch.hpp>

#include "checks/federation/keys.h"
#include "federation_test_keys.h"

using namespace hsops;
using namespace hsops::checks::federation;
using namespace std::chrono_literals;

namespace {
const auto kNow = std::chrono::system_clock::from_time_t(1700000000);
}

TEST_CASE("federation keys: a good response passes every check", "[federation][keys]") {
  const auto r = check_server_keys(test::signed_server_keys("example.org", kNow + 24h), "example.org", kNow);
  CHECK(r.all_ok());
  CHECK(r.matching_server_name);
  REQUIRE(r.ed25519.size() == 1);
  CHECK(r.ed25519[0].valid_key);
  CHECK(r.ed25519[0].signature_ok);
  CHECK(r.valid_seconds == Approx(86400));
}

TEST_CASE("federation keys: each failed check is named", "[federation][keys]") {
  auto keys = test::signed_server_keys("example.org", kNow + 24h);
  SECTION("corrupted signature") {
    keys["valid_until_ts"] = keys["valid_until_ts"].get<std::int64_t>() + 1;
    const auto r = check_server_keys(keys, "example.org", kNow);
    CHECK_FALSE(r.all_ok());
    CHECK_FALSE(r.ed25519[0].signature_ok);
    CHECK(r.problems.at(0).find("self-signature check failed") != std::string::npos);
  }
  SECTION("other server") {
    const auto r = check_server_keys(keys, "other.org", kNow);
    CHECK_FALSE(r.matching_server_name);
    CHECK(r.problems.at(0).find("not other.org") != std::string::npos);
  }
  SECTION("no ed25519 key") {
    keys["verify_keys"] = nlohmann::json::object();
    CHECK(check_server_keys(keys, "example.org", kNow).problems.at(0) == "no ed25519 key in verify_keys");
  }
  SECTION("short key") {
    keys["verify_keys"]["ed25519:a_test"]["key"] = "Zm9v";
    CHECK(check_server_keys(keys, "example.org", kNow).problems.at(0).find("not a 32-byte") != std::string::npos);
  }
  SECTION("expired keys are a figure, judged by thresholds") {
    const auto r = check_server_keys(test::signed_server_keys("example.org", kNow - 1h), "example.org", kNow);
    CHECK(r.all_ok());
    CHECK(r.valid_seconds == Approx(-3600));
  }
}
