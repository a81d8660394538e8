// The watchdog's alerts across a restart: what is saved, what a corrupt file does, what the
// API refuses, and what /metrics shows.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/temp_dir.h"
#include "watchdog/alert_keeper.h"

using namespace hsops;
using namespace std::chrono_literals;
using hsops::watchdog::AlertKeeper;

namespace {

CheckResult result(const std::string& check, Status status, const std::string& summary) {
  CheckResult r;
  r.check = check;
  r.status = status;
  r.summary = summary;
  return r;
}

alerting::EngineSettings two_tiers() {
  alerting::EngineSettings s;
  s.default_route.tiers = {alerting::Tier{0s, {"room"}}, alerting::Tier{10min, {"pager"}}};
  return s;
}

struct Pages {
  std::vector<alerting::Notification> sent;
  std::vector<std::string> log;
  AlertKeeper::Pager pager() {
    return [this](const alerting::Notification& n) { sent.push_back(n); };
  }
  AlertKeeper::Log logger() {
    return [this](const std::string& l) { log.push_back(l); };
  }
};

}  // namespace

TEST_CASE("alert keeper: a restart neither re-pages tier 1 nor forgets tier 2") {
  test::TempDir dir;
  const auto file = dir.path() / "not-yet" / "watchdog-state.json";  // a first start: no directory yet
  FakeClock clock;
  Pages first;
  {
    AlertKeeper keeper(two_tiers(), clock, file, {"wal"}, first.pager(), first.logger());
    keeper.observe(result("wal", Status::critical, "slot standby1 retains 40 GiB"));
    REQUIRE(first.sent.size() == 1);
    CHECK(first.sent[0].tier == 1);
    CHECK(first.log.back().find("firing (critical, tier 1): slot standby1 retains 40 GiB -> room") != std::string::npos);
  }  // as if killed: nothing more is written at exit
  REQUIRE(std::filesystem::exists(file));

  Pages second;
  AlertKeeper keeper(two_tiers(), clock, file, {"wal"}, second.pager(), second.logger());
  keeper.observe(result("wal", Status::critical, "slot standby1 retains 41 GiB"));
  clock.advance(9min);
  keeper.tick();
  CHECK(second.sent.empty());
  clock.advance(1min);
  keeper.tick();
  REQUIRE(second.sent.size() == 1);
  CHECK(second.sent[0].tier == 2);
  CHECK(second.sent[0].notifiers == std::vector<std::string>{"pager"});
}

TEST_CASE("alert keeper: acks and silences through the API") {
  test::TempDir dir;
  FakeClock clock;
  Pages pages;
  AlertKeeper keeper(two_tiers(), clock, dir.path() / "state.json", {"wal", "probe"}, pages.pager(), pages.logger());
  keeper.observe(result("probe", Status::critical, "cannot send a message: M_UNKNOWN"));
  const std::string id = keeper.list()["alerts"][0]["id"];

  const auto unknown = keeper.ack("ffffff", "alice", std::nullopt, "");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().kind == ErrorKind::not_found);

  const auto acked = keeper.ack(id, "alice", 2h, "looking");
  REQUIRE(acked.ok());
  CHECK((*acked)["acked_by"] == "alice");
  CHECK(pages.sent.back().event == alerting::Event::acked);
  clock.advance(30min);
  keeper.tick();
  CHECK(pages.sent.back().event == alerting::Event::acked);  // no tier 2 while acked

  CHECK_FALSE(keeper.silence("wall", std::nullopt, 1h, "bob", "").ok());  // a typo is refused
  CHECK_FALSE(keeper.silence("wal", std::nullopt, 0s, "bob", "").ok());
  CHECK_FALSE(keeper.silence("wal", std::string("abcdef"), 1h, "bob", "").ok());
  const auto silenced = keeper.silence("wal", std::nullopt, 2h, "bob", "maintenance");
  REQUIRE(silenced.ok());
  const auto listed = keeper.list();
  REQUIRE(listed["silences"].size() == 1);
  CHECK(listed["silences"][0]["check"] == "wal");
  CHECK(listed["silences"][0]["comment"] == "maintenance");

  const auto families = keeper.Collect();
  REQUIRE(families.size() == 3);
  CHECK(families[0].name == "hsops_alert_active");
  REQUIRE(families[0].metric.size() == 1);
  CHECK(families[0].metric[0].gauge.value == 1);
  CHECK(families[1].name == "hsops_alert_acked");
  CHECK(families[1].metric[0].gauge.value == 1);
  CHECK(families[2].name == "hsops_alert_escalation_tier");
  CHECK(families[2].metric[0].gauge.value == 1);  // tier 1 paged, then acked: no further tier
}

TEST_CASE("alert keeper: a corrupt state file is moved aside, not fatal") {
  test::TempDir dir;
  const auto file = dir.path() / "state.json";
  std::ofstream(file) << "{\"version\": 1, \"alerts\": [trunc";
  FakeClock clock;
  Pages pages;
  AlertKeeper keeper(two_tiers(), clock, file, {"wal"}, pages.pager(), pages.logger());
  REQUIRE(pages.log.size() == 1);
  CHECK(pages.log[0].find("cannot restore alerts") != std::string::npos);
  CHECK(pages.log[0].find("state.json.corrupt") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path() / "state.json.corrupt"));
  CHECK(keeper.list()["alerts"].empty());
}

TEST_CASE("alert keeper: refresh re-sends to the named notifiers it has paged, state untouched") {
  test::TempDir dir;
  FakeClock clock;
  Pages pages;
  AlertKeeper keeper(two_tiers(), clock, dir.path() / "state.json", {"wal"}, pages.pager(), pages.logger());
  keeper.observe(result("wal", Status::critical, "slot standby1 retains 40 GiB"));
  const auto logged = pages.log.size();
  keeper.refresh({"pager"});  // tier 2 (pager) not reached yet
  CHECK(pages.sent.size() == 1);
  keeper.refresh({"room", "pager"});
  REQUIRE(pages.sent.size() == 2);
  CHECK(pages.sent[1].event == alerting::Event::repeat);
  CHECK(pages.sent[1].notifiers == std::vector<std::string>{"room"});
  CHECK(pages.log.size() == logged);  // not a state change
  clock.advance(10min);
  keeper.tick();  // tier 2
  REQUIRE(pages.sent.size() == 3);
  CHECK(pages.sent[2].tier == 2);  // the refresh did not disturb the escalation
  keeper.refresh({"pager"});
  REQUIRE(pages.sent.size() == 4);
  CHECK(pages.sent[3].notifiers == std::vector<std::string>{"pager"});
}
