// The `watchdog:` section: defaults, a full example, and each mistake named with file:line.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "watchdog/config.h"

using namespace std::chrono_literals;
using hsops::config::Document;
using hsops::watchdog::read_watchdog_config;
using hsops::watchdog::WatchdogConfig;

namespace {

const std::vector<std::string> kChecks{"disk", "clock", "wal", "replication", "probe"};

WatchdogConfig read(const std::string& yaml) {
  const auto doc = Document::parse(yaml, "hsops.yaml");
  hsops::config::GlobalConfig global;
  global.state_dir = "/var/lib/hsops";
  return read_watchdog_config(doc.root(), global, kChecks);
}

const char* kFull = R"(watchdog:
  listen: 127.0.0.1:9300
  interval: 30s
  for: 2m
  checks:
    probe: {interval: 1m, for: 5m}
  notifiers:
    ops-room:
      type: matrix
      homeserver_url: https://alerts.example.net
      room_id: "!ops:example.net"
      access_token_env: HSOPS_TEST_WD_TOKEN
    pager:
      type: pagerduty
      routing_key_env: HSOPS_TEST_WD_KEY
      source: hs1
    am:
      type: alertmanager
      url: http://127.0.0.1:9093/
  routes:
    - name: critical
      severity: critical
      repeat_every: 30m
      tiers:
        - {after: 0s, notify: [ops-room, am]}
        - {after: 10m, notify: [pager]}
  responders: ["@alice:example.org"]
)";

}  // namespace

TEST_CASE("watchdog config: absent means defaults, disk every 5 min, nothing to page") {
  const auto c = read("checks: {}\n");
  CHECK(c.listen == "127.0.0.1:9187");
  CHECK(c.state_file == "/var/lib/hsops/watchdog-state.json");
  CHECK(hsops::watchdog::interval_for(c, "probe") == 60s);
  CHECK(hsops::watchdog::interval_for(c, "disk") == 5min);
  CHECK(c.notifiers.empty());
  CHECK(c.engine.routes.empty());
}

TEST_CASE("watchdog config: intervals, for:, notifiers with secrets from the environment, routes and tiers") {
  ::setenv("HSOPS_TEST_WD_TOKEN", "syt_secret", 1);
  ::setenv("HSOPS_TEST_WD_KEY", "0123456789abcdef0123456789abcdef", 1);
  const auto c = read(kFull);
  CHECK(c.listen == "127.0.0.1:9300");
  CHECK(hsops::watchdog::interval_for(c, "probe") == 1min);
  CHECK(hsops::watchdog::interval_for(c, "wal") == 30s);
  CHECK(hsops::alerting::for_duration(c.engine, "probe") == 5min);
  CHECK(hsops::alerting::for_duration(c.engine, "wal") == 2min);
  REQUIRE(c.notifiers.size() == 3);
  CHECK(c.notifiers[0].matrix->access_token == "syt_secret");
  CHECK(c.notifiers[0].matrix->room_id == "!ops:example.net");
  CHECK(c.notifiers[1].pagerduty->routing_key.size() == 32);
  CHECK(c.notifiers[2].alertmanager->url == "http://127.0.0.1:9093");
  REQUIRE(c.engine.routes.size() == 1);
  const auto& r = c.engine.routes[0];
  CHECK(r.severity == hsops::alerting::Severity::critical);
  CHECK(r.repeat_every == 30min);
  REQUIRE(r.tiers.size() == 2);
  CHECK(r.tiers[1].delay == 10min);
  CHECK(r.tiers[1].notifiers == std::vector<std::string>{"pager"});
  CHECK(c.engine.default_route.tiers[0].notifiers.size() == 3);  // unmatched alerts page everyone
  CHECK(c.responders == std::vector<std::string>{"@alice:example.org"});
  ::unsetenv("HSOPS_TEST_WD_TOKEN");
  ::unsetenv("HSOPS_TEST_WD_KEY");
}

TEST_CASE("watchdog config: mistakes are named where they are") {
  ::setenv("HSOPS_TEST_WD_TOKEN", "syt_secret", 1);
  const std::string room = "  notifiers:\n    ops-room:\n      type: matrix\n      homeserver_url: https://a.example\n"
                           "      room_id: \"!r:a.example\"\n      access_token_env: HSOPS_TEST_WD_TOKEN\n";
  CHECK_THROWS_WITH(read("watchdog:\n  checks:\n    dsik: {interval: 1m}\n"),
                    Catch::Contains("hsops.yaml:3:") && Catch::Contains("dsik") && Catch::Contains("disk, clock"));
  CHECK_THROWS_WITH(read("watchdog:\n  listen: 9187\n"), Catch::Contains("HOST:PORT"));
  CHECK_THROWS_WITH(read("watchdog:\n  interval: 0s\n"), Catch::Contains("positive duration"));
  CHECK_THROWS_WITH(read("watchdog:\n" + room + "  routes:\n    - tiers:\n        - {after: 0s, notify: [pager]}\n"),
                    Catch::Contains("hsops.yaml:10:") && Catch::Contains("'pager'") && Catch::Contains("ops-room"));
  CHECK_THROWS_WITH(read("watchdog:\n" + room + "  routes:\n    - tiers:\n        - {after: 10m, notify: [ops-room]}\n"
                         "        - {after: 1m, notify: [ops-room]}\n"),
                    Catch::Contains("in order of `after`"));
  CHECK_THROWS_WITH(read("watchdog:\n" + room + "  routes:\n    - severity: urgent\n      tiers: [{notify: [ops-room]}]\n"),
                    Catch::Contains("warning, critical or unknown"));
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    r:\n      type: matrix\n      homeserver_url: https://a.example\n"
                         "      room_id: \"!r:a.example\"\n      access_token: inline\n"),
                    Catch::Contains("access_token"));
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    r:\n      type: matrix\n      homeserver_url: http://alerts.example.net\n"
                         "      room_id: \"!r:a.example\"\n      access_token_env: HSOPS_TEST_WD_TOKEN\n"),
                    Catch::Contains("homeserver_url"));
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    p:\n      type: pagerduty\n"), Catch::Contains("routing_key_file"));
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    x:\n      type: email\n"), Catch::Contains("matrix, pagerduty, alertmanager, webhook or exec"));
  CHECK_THROWS_WITH(read("watchdog:\n  responders: [alice]\n"), Catch::Contains("Matrix user id"));
  CHECK_THROWS_WITH(read("watchdog:\n  intervall: 1m\n"), Catch::Contains("intervall"));
  ::unsetenv("HSOPS_TEST_WD_TOKEN");
}

TEST_CASE("watchdog config: the example section parses and means the defaults") {
  const auto c = read(std::string(hsops::watchdog::example_section()));
  const auto defaults = read("checks: {}\n");
  CHECK(c.listen == defaults.listen);
  CHECK(c.default_interval == defaults.default_interval);
  CHECK(hsops::watchdog::interval_for(c, "disk") == hsops::watchdog::interval_for(defaults, "disk"));
  CHECK(c.engine.critical_repeat_every == defaults.engine.critical_repeat_every);
  CHECK(c.engine.flap.max_flips == defaults.engine.flap.max_flips);
  CHECK(c.notifiers.empty());
}

TEST_CASE("watchdog config: remedies are opt-in per check, validated") {
  CHECK(read("watchdog:\n  checks:\n    probe: {interval: 1m}\n").remedy_by_check.empty());
  const auto c = read("watchdog:\n  checks:\n    probe:\n      remedy:\n"
                      "        command: [/usr/bin/systemctl, restart, matrix-synapse]\n        after: 10m\n"
                      "        max_per_hour: 2\n");
  REQUIRE(c.remedy_by_check.count("probe") == 1);
  const auto& r = c.remedy_by_check.at("probe");
  CHECK(r.command == std::vector<std::string>{"/usr/bin/systemctl", "restart", "matrix-synapse"});
  CHECK(r.after == 10min);
  CHECK(r.max_per_hour == 2);
  CHECK(r.timeout == 60s);

  CHECK_THROWS_WITH(read("watchdog:\n  checks:\n    probe:\n      remedy: {command: [systemctl, restart, x]}\n"),
                    Catch::Contains("hsops.yaml:4:") && Catch::Contains("absolute path"));
  CHECK_THROWS_WITH(read("watchdog:\n  checks:\n    probe:\n      remedy: {after: 5m}\n"), Catch::Contains("command"));
  CHECK_THROWS_WITH(read("watchdog:\n  checks:\n    probe:\n      remedy: {command: [/bin/true], max_per_hour: 0}\n"),
                    Catch::Contains("max_per_hour"));
  CHECK_THROWS_WITH(read("watchdog:\n  checks:\n    probe:\n      remedy: {command: [/bin/true], shell: yes}\n"),
                    Catch::Contains("shell"));
}

TEST_CASE("watchdog config: webhook and exec notifiers") {
  ::setenv("HSOPS_TEST_WD_HOOK", "hook-token", 1);
  const auto c = read("watchdog:\n  notifiers:\n    hook:\n      type: webhook\n      url: https://hooks.example.org/x/\n"
                      "      token_env: HSOPS_TEST_WD_HOOK\n      timeout: 5s\n"
                      "    sms:\n      type: exec\n      command: [/usr/local/bin/send-sms, '+15551234']\n");
  REQUIRE(c.notifiers.size() == 2);
  REQUIRE(c.notifiers[0].webhook);
  CHECK(c.notifiers[0].webhook->url == "https://hooks.example.org/x");
  CHECK(c.notifiers[0].webhook->bearer_token == "hook-token");
  CHECK(c.notifiers[0].webhook->deadlines.total == 5s);
  REQUIRE(c.notifiers[1].exec);
  CHECK(c.notifiers[1].exec->command == std::vector<std::string>{"/usr/local/bin/send-sms", "+15551234"});
  CHECK(c.notifiers[1].exec->timeout == 30s);

  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    hook:\n      type: webhook\n"),
                    Catch::Contains("hsops.yaml:") && Catch::Contains("url") && Catch::Contains("required"));
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    sms:\n      type: exec\n      command: [send-sms]\n"),
                    Catch::Contains("hsops.yaml:5:") && Catch::Contains("absolute path"));
}

TEST_CASE("watchdog config: a webhook token never travels over plain http to another host") {
  ::setenv("HSOPS_TEST_WD_HOOK2", "hook-token", 1);
  CHECK_THROWS_WITH(read("watchdog:\n  notifiers:\n    hook:\n      type: webhook\n      url: http://hooks.example.org/x\n"
                         "      token_env: HSOPS_TEST_WD_HOOK2\n"),
                    Catch::Contains("hsops.yaml:5:"));
  CHECK(read("watchdog:\n  notifiers:\n    hook:\n      type: webhook\n      url: http://127.0.0.1:8080/x\n"
             "      token_env: HSOPS_TEST_WD_HOOK2\n").notifiers.size() == 1);
  CHECK(read("watchdog:\n  notifiers:\n    hook:\n      type: webhook\n      url: http://hooks.example.org/x\n")
            .notifiers.size() == 1);  // no token: nothing to leak
}
