// What the watchdog runs from a config: the registry's enabled checks with their intervals,
// every section validated, and the warning for a pager that depends on what it watches.
#include <catch2/catch.hpp>

#include "config/config.h"
#include "watchdog/setup.h"

using namespace std::chrono_literals;
using hsops::config::ConfigError;
using hsops::config::Document;

TEST_CASE("watchdog setup: enabled checks with their intervals") {
  const hsops::FakeClock clock;
  const auto doc = Document::parse(R"(state_dir: /tmp/hsops-setup-test
watchdog:
  interval: 30s
  checks:
    clock: {interval: 2m}
)", "hsops.yaml");
  const auto setup = hsops::watchdog::load_setup(doc, clock);
  CHECK(setup.config_file == "hsops.yaml");
  std::map<std::string, std::chrono::milliseconds> intervals;
  for (const auto& c : setup.checks) intervals[c.name] = c.interval;
  REQUIRE(intervals.count("clock") == 1);
  CHECK(intervals["clock"] == 2min);
  REQUIRE(intervals.count("disk") == 1);  // enabled by default, as in `hsops check all`
  CHECK(setup.checks.front().backstop > 0ms);
}

TEST_CASE("watchdog setup: any invalid section refuses the whole config, with its location") {
  const hsops::FakeClock clock;
  const auto typo = Document::parse("watchdog:\n  listen: 127.0.0.1:9187\nchecks:\n  disk:\n    warn: 80%\n", "hsops.yaml");
  REQUIRE_THROWS_AS(hsops::watchdog::load_setup(typo, clock), ConfigError);
  try {
    (void)hsops::watchdog::load_setup(typo, clock);
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()).find("hsops.yaml:5:") != std::string::npos);
  }
  const auto none = Document::parse("checks:\n  disk: {enabled: false}\n  clock: {enabled: false}\n", "hsops.yaml");
  CHECK_THROWS_WITH(hsops::watchdog::load_setup(none, clock), Catch::Contains("no check is enabled"));
}

TEST_CASE("watchdog setup: a Matrix notifier on the monitored homeserver is warned about") {
  ::setenv("HSOPS_TEST_SETUP_TOKEN", "secret-token", 1);
  const auto doc = Document::parse(R"(checks:
  probe:
    homeserver_url: https://Matrix.Example.org:8448
watchdog:
  notifiers:
    same:
      type: matrix
      homeserver_url: https://matrix.example.org
      room_id: "!ops:example.org"
      access_token_env: HSOPS_TEST_SETUP_TOKEN
    other:
      type: matrix
      homeserver_url: https://alerts.example.net
      room_id: "!ops:example.net"
      access_token_env: HSOPS_TEST_SETUP_TOKEN
)", "hsops.yaml");
  const auto root = doc.root();
  hsops::config::GlobalConfig global;
  const auto config = hsops::watchdog::read_watchdog_config(root, global, {"probe"});
  const auto warnings = hsops::watchdog::same_homeserver_warnings(root, config);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("watchdog.notifiers.same posts to matrix.example.org") != std::string::npos);
  CHECK(warnings[0].find("checks.probe") != std::string::npos);
  CHECK(warnings[0].find("secret-token") == std::string::npos);
}
