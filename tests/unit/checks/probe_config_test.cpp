#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "checks/probe/config.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

checks::probe::Options read(const std::string& body, std::optional<std::string> w = {}, std::optional<Millis> t = {}) {
  const FakeClock clock;
  checks::Services services{.clock = clock, .warning = std::move(w), .timeout = t};
  services.global.state_dir = "/tmp/hsops-state";
  const auto doc = config::Document::parse("checks:\n  probe:\n" + body, "test.yaml");
  return checks::read_probe_options(doc.root().child("checks").child("probe"), services);
}

}  // namespace

TEST_CASE("probe config: required keys / secrets from env / defaults", "[probe][config]") {
  ::setenv("HSOPS_TEST_PROBE_PW", "s3cret", 1);
  const auto o = read("    homeserver_url: https://matrix.example.org/\n    user: '@p:example.org'\n"
                      "    password_env: HSOPS_TEST_PROBE_PW\n    server_name: example.org\n");
  CHECK(o.homeserver_url == "https://matrix.example.org");
  CHECK(o.discovery_url == "https://example.org");
  CHECK(o.password == std::optional<std::string>("s3cret"));
  CHECK_FALSE(o.access_token);
  CHECK(o.device_id == "HSOPS_PROBE");
  CHECK(o.state_file == "/tmp/hsops-state/probe-state.json");
  CHECK(o.budget == 10000ms);
  CHECK(o.warning.at("total").text() == "5");
  CHECK(o.critical.count("total") == 0);
}

TEST_CASE("probe config: -w/-c/-t and per-phase thresholds", "[probe][config]") {
  ::setenv("HSOPS_TEST_PROBE_PW", "s3cret", 1);
  const auto o = read("    homeserver_url: http://127.0.0.1:8008\n    user: '@p:x'\n    password_env: HSOPS_TEST_PROBE_PW\n"
                      "    discovery: false\n    phase_warning: {sync_echo: 2}\n    phase_critical: {send: 3}\n",
                      "1", 4000ms);
  CHECK(o.discovery_url.empty());
  CHECK(o.warning.at("total").text() == "1");
  CHECK(o.warning.at("sync_echo").text() == "2");
  CHECK(o.critical.at("send").text() == "3");
  CHECK(o.budget == 4000ms);
  CHECK(o.deadlines.total == 4000ms);
}

TEST_CASE("probe config: mistakes are ConfigErrors that say what to do", "[probe][config]") {
  ::setenv("HSOPS_TEST_PROBE_PW", "s3cret", 1);
  auto message = [](const std::string& body) {
    try {
      read(body);
    } catch (const config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("    user: '@p:x'\n").find("needs homeserver_url") != std::string::npos);
  CHECK(message("    homeserver_url: http://matrix.example.org\n    user: '@p:x'\n    password_env: HSOPS_TEST_PROBE_PW\n")
            .find("allow_plain_http") != std::string::npos);
  CHECK(message("    homeserver_url: https://m.x\n    user: p\n    password_env: HSOPS_TEST_PROBE_PW\n").find("full Matrix ID") != std::string::npos);
  CHECK(message("    homeserver_url: https://m.x\n    user: '@p:x'\n").find("password_file") != std::string::npos);
  CHECK(message("    homeserver_url: https://m.x\n    user: '@p:x'\n    password_env: HSOPS_TEST_PROBE_PW\n    room_id: '#a:x'\n")
            .find("not an alias") != std::string::npos);
  CHECK(message("    homeserver_url: https://m.x\n    user: '@p:x'\n    password_env: HSOPS_TEST_PROBE_PW\n    phase_warning: {typo: 1}\n")
            .find("typo") != std::string::npos);
  CHECK(message("    homeserver_url: https://m.x\n    user: '@p:x'\n    password: inline\n").find("password") != std::string::npos);
}

TEST_CASE("probe config: -w takes a duration as well as plain seconds, not a size", "[probe][config]") {
  ::setenv("HSOPS_TEST_PROBE_PW", "s3cret", 1);
  const std::string body = "    homeserver_url: https://matrix.example.org/\n    user: '@p:example.org'\n"
                           "    password_env: HSOPS_TEST_PROBE_PW\n    server_name: example.org\n";
  CHECK(read(body, "2s").warning.at("total").text() == "2");
  CHECK(read(body, "1500ms").warning.at("total").end() == 1.5);
  CHECK(read(body, "2").warning.at("total").text() == "2");
  try {
    (void)read(body, "50MiB");
    FAIL("50MiB is not a duration");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()).find("invalid duration '50MiB'") != std::string::npos);
    CHECK(e.key_path() == "-w");
  }
}
