// The federation check against a fake federation listener (plain HTTP, test option).
#include <catch2/catch.hpp>

#include "checks/federation/check.h"
#include "federation_test_keys.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace std::chrono_literals;
using hsops::test::LocalHttpServer;

namespace {

checks::federation::Options options_for(const std::string& base) {
  checks::federation::Options o;
  o.server_name = "example.org";
  o.base_url = base;
  o.plain_http = true;
  o.deadlines = {1000ms, 3000ms};
  o.budget = 3000ms;
  return o;
}

void serve(LocalHttpServer& fed, const nlohmann::json& keys) {
  fed.route("/_matrix/federation/v1/version", {200, {}, R"({"server":{"name":"Synapse","version":"1.160.0"}})"});
  fed.route("/_matrix/key/v2/server", {200, {{"Content-Type", "application/json"}}, keys.dump()});
}

const Measurement* find(const CheckResult& r, const std::string& metric) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("federation: good keys over plain HTTP are OK", "[federation]") {
  SystemClock clock;
  LocalHttpServer fed;
  serve(fed, test::signed_server_keys("example.org", clock.now() + 24h));
  auto r = checks::federation::make_federation_check(options_for(fed.url("")), clock)->run();
  INFO(r.summary);
  CHECK(r.status == Status::ok);
  CHECK(r.summary.find("Synapse 1.160.0") != std::string::npos);
  CHECK(find(r, "hsops_federation_ok")->value == 1);
  CHECK(find(r, "hsops_federation_key_valid_seconds")->value == Approx(86400).margin(5));
  CHECK(find(r, "hsops_federation_cert_expiry_seconds") == nullptr);
}

TEST_CASE("federation: a corrupted key response fails the signature check", "[federation]") {
  SystemClock clock;
  LocalHttpServer fed;
  auto keys = test::signed_server_keys("example.org", clock.now() + 24h);
  keys["old_verify_keys"] = {{"ed25519:old", {{"key", "x"}, {"expired_ts", 1}}}};  // tampered after signing
  serve(fed, keys);
  auto r = checks::federation::make_federation_check(options_for(fed.url("")), clock)->run();
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("self-signature check failed") != std::string::npos);
  CHECK(find(r, "hsops_federation_keys_valid")->value == 0);
  CHECK(find(r, "hsops_federation_ok")->value == 0);
}

TEST_CASE("federation: keys about to expire WARN / expired are CRITICAL", "[federation]") {
  SystemClock clock;
  LocalHttpServer fed;
  serve(fed, test::signed_server_keys("example.org", clock.now() + 10min));
  auto soon = checks::federation::make_federation_check(options_for(fed.url("")), clock)->run();
  CHECK(soon.status == Status::warning);
  CHECK(soon.summary.find("key validity ends in") != std::string::npos);
  serve(fed, test::signed_server_keys("example.org", clock.now() - 10min));
  auto gone = checks::federation::make_federation_check(options_for(fed.url("")), clock)->run();
  CHECK(gone.status == Status::critical);
  CHECK(gone.summary.find("expired") != std::string::npos);
}

TEST_CASE("federation: an unreachable listener is CRITICAL naming the step", "[federation]") {
  SystemClock clock;
  auto r = checks::federation::make_federation_check(
               options_for("http://127.0.0.1:" + std::to_string(test::closed_port())), clock)->run();
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("version: ") != std::string::npos);
}
