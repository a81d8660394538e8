#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "checks/failover_follow/check.h"
#include "checks/failover_follow/config.h"
#include "checks/failover_follow/records.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::checks::failover_follow;
using namespace std::chrono_literals;

namespace {

// FakeClock starts at 1'700'000'000.
constexpr double kNow = 1'700'000'000;

std::string change_json(bool ok, double elected_at) {
  if (!ok) {
    return R"({"from": "pg1", "to": "pg2", "leader_last_seen_at": )" + std::to_string(elected_at - 10.1) +
           R"(, "leader_elected_at": )" + std::to_string(elected_at) +
           R"(, "followed_at": null, "ok": false, "failed_step": "route.switch", "error": "connection refused",
               "patroni_seconds": 10.1, "hsops_seconds": null, "rto_seconds": null, "run_id": "r1",
               "report": "/var/lib/hsops/failover/reports/r1.json"})";
  }
  return R"({"from": "pg1", "to": "pg2", "leader_last_seen_at": )" + std::to_string(elected_at - 10.1) +
         R"(, "leader_elected_at": )" + std::to_string(elected_at) + R"(, "followed_at": )" + std::to_string(elected_at + 2.2) +
         R"(, "ok": true, "failed_step": "", "error": "", "patroni_seconds": 10.1, "hsops_seconds": 2.2,
             "rto_seconds": 12.3, "run_id": "r1", "report": "/var/lib/hsops/failover/reports/r1.json"})";
}

// follow.json as the follower writes it.
std::string follow_json(double updated_at, const std::string& leader = "\"pg2\"", const std::string& no_leader_since = "null",
                        const std::string& last_change = "null") {
  return R"({"version": 1, "deployment": "hs1", "pid": 1234, "updated_at": )" + std::to_string(updated_at) +
         R"(, "poll_interval_seconds": 1.0, "leader": )" + leader + R"(, "no_leader_since": )" + no_leader_since +
         R"(, "active_homeserver": "hs2", "changes": 1, "last_change": )" + last_change + "}\n";
}

void write(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

const Measurement* find(const CheckResult& r, const std::string& metric) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

// What the watchdog pages: the condition label of every breached indicator.
std::set<std::string> alerts(const CheckResult& r) {
  std::set<std::string> out;
  for (const auto& m : r.measurements) {
    if (evaluate(m) == Status::ok) continue;
    REQUIRE(m.metric_labels.count("condition") == 1);
    CHECK(m.metric.empty());  // alerting only: no Prometheus series
    CHECK(m.label.empty());   // and no perfdata
    out.insert(m.metric_labels.at("condition"));
  }
  return out;
}

CheckResult run(const std::filesystem::path& state_dir, const FakeClock& clock) {
  Options o;
  o.state_dir = state_dir;
  return make_failover_follow_check(o, clock)->run();
}

checks::Services services(const Clock& clock, std::optional<std::string> w = {}, std::optional<std::string> c = {}) {
  return checks::Services{.clock = clock, .warning = std::move(w), .critical = std::move(c)};
}

Options options_from(const std::string& yaml, const Clock& clock, std::optional<std::string> w = {},
                     std::optional<std::string> c = {}) {
  const auto doc = config::Document::parse(yaml, "t.yaml");
  return checks::read_failover_follow_options(doc.root().child("checks").child("failover_follow"), services(clock, w, c));
}

std::string config_error(const std::string& yaml, std::optional<std::string> w = {}, std::optional<std::string> c = {}) {
  const FakeClock clock;
  try {
    (void)options_from(yaml, clock, std::move(w), std::move(c));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("failover_follow check: a live follower with a leader is OK with its metrics", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "follow.json", follow_json(kNow - 3, "\"pg2\"", "null", change_json(true, kNow - 3600)));
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "leader pg2, homeserver hs2; 1 leader change followed since the follower started");
  CHECK(alerts(r).empty());
  REQUIRE(find(r, "hsops_failover_follow_leader_present"));
  CHECK(find(r, "hsops_failover_follow_leader_present")->value == 1);
  CHECK(find(r, "hsops_failover_follow_leader_present")->metric_labels.at("deployment") == "hs1");
  CHECK(find(r, "hsops_failover_follow_no_leader_seconds")->value == 0);
  CHECK(find(r, "hsops_failover_follow_heartbeat_age_seconds")->value == 3);
  CHECK(find(r, "hsops_failover_follow_stale_after_seconds")->value == 60);
  CHECK(find(r, "hsops_failover_follow_last_change_timestamp_seconds")->value == kNow - 3600);
  CHECK(find(r, "hsops_failover_follow_last_change_success")->value == 1);
  CHECK(find(r, "hsops_failover_follow_last_rto_seconds")->value == 12.3);
  CHECK(find(r, "hsops_failover_follow_last_patroni_seconds")->value == 10.1);
  CHECK(find(r, "hsops_failover_follow_last_hsops_seconds")->value == 2.2);
  REQUIRE(r.details.size() == 4);
  CHECK(r.details[0] == "state file " + (dir.path() / "follow.json").string());
  CHECK(r.details[2] == "leader pg2, homeserver hs2, 1 leader change followed since the follower started");
  CHECK(r.details[3].find("last change pg1 -> pg2: elected ") == 0);
  CHECK(r.details[3].find("RTO 12.3 s, Patroni 10.1 s, hsops 2.2 s; run r1, report /var/lib/hsops/failover/reports/r1.json") !=
        std::string::npos);
}

TEST_CASE("failover_follow check: no change yet exports no change figures", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "follow.json", follow_json(kNow - 3));
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::ok);
  CHECK_FALSE(find(r, "hsops_failover_follow_last_change_timestamp_seconds"));
  CHECK_FALSE(find(r, "hsops_failover_follow_last_change_success"));
  CHECK_FALSE(find(r, "hsops_failover_follow_last_rto_seconds"));
}

TEST_CASE("failover_follow check: each condition is its own alert", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto file = dir.path() / "follow.json";

  write(file, follow_json(kNow - 2, "\"pg2\"", "null", change_json(true, kNow - 30)));
  auto r = run(dir.path(), clock);
  CHECK(r.status == Status::warning);
  CHECK(r.summary.find("leader changed pg1 -> pg2 30.0 s ago; the homeserver followed to hs2; RTO 12.3 s") == 0);
  CHECK(alerts(r) == std::set<std::string>{"leader_changed"});

  write(file, follow_json(kNow - 2, "\"pg2\"", "null", change_json(false, kNow - 30)));
  r = run(dir.path(), clock);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("route.switch failed: connection refused; see /var/lib/hsops/failover/reports/r1.json") != std::string::npos);
  CHECK(alerts(r) == std::set<std::string>{"follow_failed"});
  CHECK(find(r, "hsops_failover_follow_last_change_success")->value == 0);
  CHECK_FALSE(find(r, "hsops_failover_follow_last_rto_seconds"));  // null: it did not follow
  CHECK(find(r, "hsops_failover_follow_last_patroni_seconds")->value == 10.1);

  write(file, follow_json(kNow - 2, "null", std::to_string(kNow - 45), change_json(false, kNow - 30)));
  r = run(dir.path(), clock);
  CHECK(r.summary.find("no leader for 45.0 s") == 0);
  CHECK(alerts(r) == std::set<std::string>{"no_leader", "follow_failed"});
  CHECK(find(r, "hsops_failover_follow_leader_present")->value == 0);
  CHECK(find(r, "hsops_failover_follow_no_leader_seconds")->value == 45);

  write(file, follow_json(kNow - 300, "null", std::to_string(kNow - 400), change_json(false, kNow - 30)));
  r = run(dir.path(), clock);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("the follower has not written " + file.string() + " for 5 min 0 s (pid 1234)") == 0);
  CHECK(alerts(r) == std::set<std::string>{"follower_down"});
  CHECK(find(r, "hsops_failover_follow_heartbeat_age_seconds")->value == 300);
  CHECK_FALSE(find(r, "hsops_failover_follow_leader_present"));  // a stale file says nothing about now
  CHECK_FALSE(find(r, "hsops_failover_follow_no_leader_seconds"));
}

TEST_CASE("failover_follow check: no file is UNKNOWN and says what to run", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary == "no follower state in " + (dir.path() / "follow.json").string() +
                         ": is `hsops failover follow` running (dist/hsops-failover-follow.service)?");
  CHECK_FALSE(find(r, "hsops_failover_follow_heartbeat_age_seconds"));
  CHECK(find(r, "hsops_failover_follow_stale_after_seconds")->metric_labels.at("deployment") == dir.path().string());
}

TEST_CASE("failover_follow check: a corrupt, other-version or unreadable file is UNKNOWN naming it", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto file = dir.path() / "follow.json";
  write(file, "{\"version\": 1, \"upd");
  auto r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find(file.string() + ": not a JSON object") == 0);
  write(file, R"({"version": 2, "updated_at": 1})");
  CHECK(run(dir.path(), clock).summary.find(file.string() + ": version 2, this hsops reads version 1") == 0);
  write(file, R"({"version": 1})");
  CHECK(run(dir.path(), clock).summary.find("\"updated_at\" is not a number") != std::string::npos);
  write(file, follow_json(kNow, "\"pg2\"", "null", R"({"to": "pg2", "ok": true})"));
  CHECK(run(dir.path(), clock).summary.find("\"last_change.leader_elected_at\" is not a number") != std::string::npos);
  write(file, follow_json(kNow, "7"));
  CHECK(run(dir.path(), clock).summary.find("\"leader\" is not a string or null") != std::string::npos);
  std::filesystem::remove(file);
  std::filesystem::create_directories(file);
  CHECK(run(dir.path(), clock).summary.find(file.string() + ": not a regular file") == 0);
  std::filesystem::remove(file);
  if (::geteuid() == 0) return;  // root reads any file
  write(file, follow_json(kNow));
  ::chmod(file.c_str(), 0);
  r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("Permission denied") != std::string::npos);
}

TEST_CASE("failover_follow check: the playbook names the state_dir and the label", "[failover_follow][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto state = dir.path() / "state";
  std::filesystem::create_directories(state);
  write(dir.path() / "playbook.yaml", "name: prod\nstate_dir: " + state.string() + "\ndatabase: {}\n");
  write(state / "follow.json", follow_json(kNow - 1));
  Options o;
  o.playbook = dir.path() / "playbook.yaml";
  const auto r = make_failover_follow_check(o, clock)->run();
  CHECK(r.status == Status::ok);
  CHECK(find(r, "hsops_failover_follow_leader_present")->metric_labels.at("deployment") == "prod");

  o.playbook = dir.path() / "missing.yaml";
  const auto missing = make_failover_follow_check(o, clock)->run();
  CHECK(missing.status == Status::unknown);
  CHECK(missing.summary.find("missing.yaml") != std::string::npos);
  CHECK(missing.summary.find("checks.failover_follow.playbook") != std::string::npos);
  CHECK(missing.measurements.empty());
}

TEST_CASE("failover_follow config: defaults, the example and -w/-c", "[failover_follow][config]") {
  const FakeClock clock;
  const auto o = options_from("checks:\n  failover_follow: {}\n", clock);
  CHECK(o.playbook == "/etc/hsops/playbook.yaml");
  CHECK_FALSE(o.state_dir);
  CHECK(o.thresholds.stale_after == 60s);
  CHECK(o.thresholds.changed_window == 15min);
  const auto set = options_from("checks:\n  failover_follow:\n    state_dir: /srv/failover\n    stale_after: 30s\n    changed_window: 1h\n",
                                clock);
  CHECK(set.state_dir == std::filesystem::path("/srv/failover"));
  CHECK(set.thresholds.stale_after == 30s);
  CHECK(set.thresholds.changed_window == 1h);
  const auto cli = options_from("checks:\n  failover_follow:\n    stale_after: 30s\n", clock, "5m", "2m");
  CHECK(cli.thresholds.changed_window == 5min);
  CHECK(cli.thresholds.stale_after == 2min);
  CHECK(checks::failover_follow_check_info().example.find("stale_after: 60s") != std::string_view::npos);
}

TEST_CASE("failover_follow config: mistakes are named at file line and column", "[failover_follow][config]") {
  CHECK(config_error("checks:\n  failover_follow:\n    stale_after: 0s\n") ==
        "t.yaml:3:18: checks.failover_follow.stale_after: must be a positive duration");
  CHECK(config_error("checks:\n  failover_follow:\n    state_dir: relative\n").find("t.yaml:3:16: checks.failover_follow.state_dir: must be an absolute path") == 0);
  CHECK(config_error("checks:\n  failover_follow:\n    playbook: /a.yaml\n    state_dir: /b\n").find("set either playbook") != std::string::npos);
  CHECK(config_error("checks:\n  failover_follow:\n    changed_window: soon\n").find("t.yaml:3:21: checks.failover_follow.changed_window") == 0);
  CHECK(config_error("checks:\n  failover_follow:\n    stale_afterr: 1m\n").find("t.yaml:3:5") == 0);
  CHECK(config_error("checks:\n  failover_follow: {}\n", std::nullopt, "0s").find("-c") != std::string::npos);
  CHECK(config_error("checks:\n  failover_follow: {}\n", "soon").find("-w") != std::string::npos);
}
