#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "checks/failover_drill/check.h"
#include "checks/failover_drill/config.h"
#include "checks/failover_drill/records.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::checks::failover_drill;
using namespace std::chrono_literals;

namespace {

// FakeClock starts at 1'700'000'000.
constexpr double kNow = 1'700'000'000;

// A report as run.cpp writes it (to_json(report) plus deployment and rto_seconds).
std::string report_json(bool ok, double started_at, const char* rto = "41.5") {
  return std::string(R"({"run_id": "20231114T221320Z-ab12", "operation": "drill", "ok": )") + (ok ? "true" : "false") +
         R"(, "started_at": )" + std::to_string(started_at) +
         R"(, "seconds": 95.0, "left_state": "", "steps": [], "deployment": "hs1", "rto_seconds": )" + rto + "}\n";
}

void write(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

const Measurement* find(const CheckResult& r, const std::string& metric) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

CheckResult run(const std::filesystem::path& state_dir, const FakeClock& clock) {
  Options o;
  o.state_dir = state_dir;
  return make_failover_drill_check(o, clock)->run();
}

checks::Services services(const Clock& clock, std::optional<std::string> w = {}, std::optional<std::string> c = {}) {
  return checks::Services{.clock = clock, .warning = std::move(w), .critical = std::move(c)};
}

Options options_from(const std::string& yaml, const Clock& clock, std::optional<std::string> w = {},
                     std::optional<std::string> c = {}) {
  const auto doc = config::Document::parse(yaml, "t.yaml");
  return checks::read_failover_drill_options(doc.root().child("checks").child("failover_drill"), services(clock, w, c));
}

std::string config_error(const std::string& yaml) {
  const FakeClock clock;
  try {
    (void)options_from(yaml, clock);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("failover_drill check: a good drill is OK with its metrics", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "last-drill.json", report_json(true, kNow - 2 * 86400));
  write(dir.path() / "last-good-drill.json", report_json(true, kNow - 2 * 86400));
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "last drill 2 d 0 h ago ok, RTO 41.5 s");
  REQUIRE(find(r, "hsops_failover_last_drill_success"));
  CHECK(find(r, "hsops_failover_last_drill_success")->value == 1);
  CHECK(find(r, "hsops_failover_last_drill_success")->metric_labels.at("deployment") == "hs1");
  CHECK(find(r, "hsops_failover_last_drill_rto_seconds")->value == 41.5);
  CHECK(find(r, "hsops_failover_last_drill_timestamp_seconds")->value == kNow - 2 * 86400);
  CHECK(find(r, "hsops_failover_last_good_drill_timestamp_seconds")->value == kNow - 2 * 86400);
  CHECK(find(r, "hsops_failover_drill_max_age_seconds")->value == 8 * 86400);
}

TEST_CASE("failover_drill check: a failed drill after a good one is CRITICAL and keeps the good time", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "last-drill.json", report_json(false, kNow - 3600, "null"));
  write(dir.path() / "last-good-drill.json", report_json(true, kNow - 7 * 86400));
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("last drill 1 h 0 min ago FAILED") == 0);
  CHECK(find(r, "hsops_failover_last_drill_success")->value == 0);
  CHECK_FALSE(find(r, "hsops_failover_last_drill_rto_seconds"));  // null: no probe ended
  CHECK(find(r, "hsops_failover_last_good_drill_timestamp_seconds")->value == kNow - 7 * 86400);
}

TEST_CASE("failover_drill check: no good drill ever exports 0 as its time", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "last-drill.json", report_json(false, kNow - 60));
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::critical);
  CHECK(find(r, "hsops_failover_last_good_drill_timestamp_seconds")->value == 0);
}

TEST_CASE("failover_drill check: nothing recorded is UNKNOWN and says what to do", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("hsops failover drill") != std::string::npos);
  CHECK(r.summary.find("timer") != std::string::npos);
  CHECK_FALSE(find(r, "hsops_failover_last_drill_success"));  // no drill: no alert on a failure that did not happen
  CHECK(find(r, "hsops_failover_drill_max_age_seconds")->metric_labels.at("deployment") == dir.path().string());
}

TEST_CASE("failover_drill check: a corrupt report is UNKNOWN naming the file", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  write(dir.path() / "last-drill.json", "{\"ok\": tr");
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("last-drill.json: not a JSON object") != std::string::npos);
  write(dir.path() / "last-drill.json", R"({"ok": "yes", "started_at": 1})");
  CHECK(run(dir.path(), clock).summary.find("\"ok\" is not true or false") != std::string::npos);
}

TEST_CASE("failover_drill check: an unreadable report is UNKNOWN", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  std::filesystem::create_directories(dir.path() / "last-good-drill.json");
  CHECK(run(dir.path(), clock).summary.find("last-good-drill.json: not a regular file") != std::string::npos);
  std::filesystem::remove(dir.path() / "last-good-drill.json");
  if (::geteuid() == 0) return;  // root reads any file
  write(dir.path() / "last-drill.json", report_json(true, kNow));
  ::chmod((dir.path() / "last-drill.json").c_str(), 0);
  const auto r = run(dir.path(), clock);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("Permission denied") != std::string::npos);
}

TEST_CASE("failover_drill check: the playbook names the state_dir and the label", "[failover_drill][check]") {
  const test::TempDir dir;
  const FakeClock clock;
  const auto state = dir.path() / "state";
  std::filesystem::create_directories(state);
  write(dir.path() / "playbook.yaml", "name: prod\nstate_dir: " + state.string() + "\ndatabase: {}\n");
  write(state / "last-drill.json", report_json(true, kNow - 60));
  Options o;
  o.playbook = dir.path() / "playbook.yaml";
  const auto r = make_failover_drill_check(o, clock)->run();
  CHECK(r.status == Status::ok);
  CHECK(find(r, "hsops_failover_last_drill_success")->metric_labels.at("deployment") == "prod");

  o.playbook = dir.path() / "missing.yaml";
  const auto missing = make_failover_drill_check(o, clock)->run();
  CHECK(missing.status == Status::unknown);
  CHECK(missing.summary.find("missing.yaml") != std::string::npos);
  CHECK(missing.measurements.empty());

  write(dir.path() / "relative.yaml", "name: prod\nstate_dir: var/failover\n");
  CHECK(read_deployment(dir.path() / "relative.yaml").error().message.find("absolute") != std::string::npos);
  write(dir.path() / "default.yaml", "name: prod\n");
  CHECK(read_deployment(dir.path() / "default.yaml")->state_dir == "/var/lib/hsops/failover");
}

TEST_CASE("failover_drill config: defaults and the example", "[failover_drill][config]") {
  const FakeClock clock;
  const auto o = options_from("checks:\n  failover_drill: {}\n", clock);
  CHECK(o.playbook == "/etc/hsops/playbook.yaml");
  CHECK_FALSE(o.state_dir);
  CHECK(o.thresholds.max_age == std::chrono::hours(8 * 24));
  CHECK_FALSE(o.thresholds.rto_budget_seconds);
  const auto set = options_from("checks:\n  failover_drill:\n    state_dir: /srv/failover\n    max_age: 36h\n    rto_budget: 90s\n",
                                clock);
  CHECK(set.state_dir == std::filesystem::path("/srv/failover"));
  CHECK(set.thresholds.max_age == 36h);
  CHECK(set.thresholds.rto_budget_seconds == 90.0);
  const auto cli = options_from("checks:\n  failover_drill:\n    rto_budget: 90s\n", clock, "2m", "1d");
  CHECK(cli.thresholds.rto_budget_seconds == 120.0);
  CHECK(cli.thresholds.max_age == 24h);
  CHECK(checks::failover_drill_check_info().example.find("max_age: 8d") != std::string_view::npos);
}

TEST_CASE("failover_drill config: mistakes are named at file line and column", "[failover_drill][config]") {
  CHECK(config_error("checks:\n  failover_drill:\n    max_age: 0s\n") == "t.yaml:3:14: checks.failover_drill.max_age: must be a positive duration");
  CHECK(config_error("checks:\n  failover_drill:\n    state_dir: relative\n").find("t.yaml:3:16: checks.failover_drill.state_dir: must be an absolute path") == 0);
  CHECK(config_error("checks:\n  failover_drill:\n    playbook: /a.yaml\n    state_dir: /b\n").find("set either playbook") != std::string::npos);
  CHECK(config_error("checks:\n  failover_drill:\n    rto_budget: soon\n").find("t.yaml:3:17: checks.failover_drill.rto_budget") == 0);
  CHECK(config_error("checks:\n  failover_drill:\n    max_agee: 8d\n").find("t.yaml:3:5") == 0);
}
