// The probe against a fake homeserver, for faults the real Synapse cannot produce on demand.
// (The full round trip runs against the real Synapse in tests/integration/stack.)
#include <catch2/catch.hpp>

#include <filesystem>

#include "checks/probe/check.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace std::chrono_literals;
using hsops::test::CannedResponse;
using hsops::test::LocalHttpServer;

namespace {

const CannedResponse kVersions{200, {{"Content-Type", "application/json"}}, R"({"versions":["r0.6.1","v1.11"]})"};

checks::probe::Options options_for(const std::string& base, std::chrono::milliseconds budget = 5s) {
  checks::probe::Options o;
  o.homeserver_url = base;
  o.discovery_url = base;
  o.user_id = "@probe:hsops.test";
  o.password = "not-the-password";
  o.state_file = std::filesystem::temp_directory_path() / ("hsops-probe-unit-" + std::to_string(::getpid()) + ".json");
  o.deadlines = {1000ms, 5000ms};
  o.budget = budget;
  return o;
}

CheckResult run(checks::probe::Options o) {
  SystemClock clock;
  auto r = checks::probe::make_probe_check(std::move(o), clock)->run();
  return r;
}

}  // namespace

TEST_CASE("probe: invalid .well-known JSON is CRITICAL with the reason / nothing else asked", "[probe]") {
  LocalHttpServer hs;
  hs.route("/.well-known/matrix/client", {200, {{"Content-Type", "application/json"}}, R"({"m.homeserver": {"base_url": )"});
  auto r = run(options_for(hs.url("")));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("discovery failed") == 0);
  CHECK(r.summary.find("not valid JSON") != std::string::npos);
  CHECK(hs.request_count() == 1);
}

TEST_CASE("probe: a 404 .well-known falls back to the configured URL - wrong password is M_FORBIDDEN", "[probe]") {
  LocalHttpServer hs;
  hs.route("/_matrix/client/versions", kVersions);
  hs.route("/_matrix/client/v3/login", {403, {}, R"({"errcode":"M_FORBIDDEN","error":"Invalid username or password"})"});
  auto r = run(options_for(hs.url("")));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("login failed") == 0);
  CHECK(r.summary.find("M_FORBIDDEN") != std::string::npos);
  CHECK(r.summary.find("not-the-password") == std::string::npos);
  for (const auto& d : r.details) CHECK(d.find("not-the-password") == std::string::npos);
  CHECK(hs.request_count("/.well-known/matrix/client") == 1);
}

TEST_CASE("probe: OAuth-only servers are reported as such", "[probe]") {
  LocalHttpServer hs;
  hs.route("/_matrix/client/versions", kVersions);
  hs.route("/_matrix/client/v3/login", {404, {}, R"({"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"})"});
  auto r = run(options_for(hs.url("")));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("OAuth") != std::string::npos);
  CHECK(r.summary.find("access_token_file") != std::string::npos);
}

TEST_CASE("probe: 429 beyond the deadline is reported as rate limiting", "[probe]") {
  LocalHttpServer hs;
  hs.route("/_matrix/client/versions", kVersions);
  hs.route("/_matrix/client/v3/login", {429, {{"Retry-After", "60"}}, R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests"})"});
  auto r = run(options_for(hs.url("")));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("M_LIMIT_EXCEEDED") != std::string::npos);
  CHECK(r.summary.find("60000 ms") != std::string::npos);
  bool counted = false;
  for (const auto& m : r.measurements) {
    if (m.metric == "hsops_probe_rate_limited_responses") counted = m.value == 1;
  }
  CHECK(counted);
}

TEST_CASE("probe: a black-holed homeserver ends at the deadline", "[probe]") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run(options_for(hole.url(""), 1500ms));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("discovery failed") == 0);
  CHECK(elapsed >= 1400ms);
  CHECK(elapsed < 2500ms);
}

TEST_CASE("probe: connection refused is CRITICAL at once", "[probe]") {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run(options_for("http://127.0.0.1:" + std::to_string(test::closed_port())));
  CHECK(r.status == Status::critical);
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CHECK(r.details.at(0).find("refused") != std::string::npos);
}
