#include <catch2/catch.hpp>

#include "alerting/engine.h"
#include "alerting/listing.h"
#include "engine_fixture.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace hsops::alerting::test;

TEST_CASE("tier 2 is paged exactly when due and not before", "[alerting][tiers]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  REQUIRE(engine.observe(result("disk", Status::warning)).size() == 1);
  clock.advance(10min - 1s);
  CHECK(engine.tick().empty());
  REQUIRE(engine.list().size() == 1);
  CHECK(engine.list()[0].next_page == clock.now() + 1s);
  clock.advance(1s);
  const auto tier2 = engine.tick();
  REQUIRE(tier2.size() == 1);
  CHECK(tier2[0].event == Event::escalated);
  CHECK(tier2[0].tier == 2);
  CHECK(tier2[0].notifiers == std::vector<std::string>{"backup"});
  clock.advance(20min);
  const auto tier3 = engine.tick();
  REQUIRE(tier3.size() == 1);
  CHECK(tier3[0].tier == 3);
  CHECK(tier3[0].notifiers == std::vector<std::string>{"boss"});
  clock.advance(2h);
  CHECK(engine.tick().empty());  // a warning without repeat_every is paged once per tier
}

TEST_CASE("a route's repeat interval reminds everyone paged", "[alerting][repeat]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.default_route.tiers = {Tier{0s, {"oncall"}}};
  settings.default_route.repeat_every = 5min;
  AlertEngine engine(settings, clock);
  REQUIRE(engine.observe(result("disk", Status::warning)).size() == 1);
  const auto repeat = tick_when_due(engine, clock, 5min);
  REQUIRE(repeat.size() == 1);
  CHECK(repeat[0].event == Event::repeat);
  CHECK(repeat[0].notifiers == std::vector<std::string>{"oncall"});
  clock.advance(5min);
  CHECK(events(engine.tick()) == std::vector<Event>{Event::repeat});
}

TEST_CASE("an unacked CRITICAL keeps paging by default", "[alerting][repeat]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.default_route.tiers = {Tier{0s, {"oncall"}}};
  AlertEngine engine(settings, clock);
  REQUIRE(engine.observe(result("wal", Status::critical)).size() == 1);
  int repeats = 0;
  for (int i = 0; i < 12; ++i) {
    clock.advance(15min);
    repeats += static_cast<int>(engine.tick().size());
  }
  CHECK(repeats == 12);
}

TEST_CASE("an ack stops escalation and repeats", "[alerting][ack]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  const auto fired = engine.observe(result("wal", Status::critical));
  REQUIRE(fired.size() == 1);
  clock.advance(2min);
  const auto acked = engine.ack(fired[0].alert.id, "alice", std::nullopt, "looking");
  REQUIRE(acked.ok());
  REQUIRE(acked.value().size() == 1);
  CHECK(acked.value()[0].event == Event::acked);
  CHECK(acked.value()[0].notifiers == std::vector<std::string>{"oncall"});
  clock.advance(3h);
  CHECK(engine.tick().empty());
  CHECK(engine.observe(result("wal", Status::critical)).empty());
  const auto rows = engine.list();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].alert.ack->who == "alice");
  CHECK_FALSE(rows[0].next_page.has_value());
  const auto json = alerts_json(rows);
  CHECK(json["alerts"][0]["acked_by"] == "alice");
  CHECK(json["alerts"][0]["ack_comment"] == "looking");
  CHECK(json["alerts"][0]["next_page"].is_null());
  CHECK_FALSE(engine.ack("ffffff", "bob", std::nullopt, "").ok());
}

TEST_CASE("a new firing after resolution needs a new ack", "[alerting][ack]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  const auto fired = engine.observe(result("wal", Status::critical));
  REQUIRE(engine.ack(fired[0].alert.id, "alice", std::nullopt, "").ok());
  clock.advance(1min);
  CHECK(events(engine.observe(result("wal", Status::ok))) == std::vector<Event>{Event::resolved});
  clock.advance(1min);
  CHECK(events(engine.observe(result("wal", Status::critical))) == std::vector<Event>{Event::firing});
  clock.advance(10min);
  CHECK(events(engine.tick()) == std::vector<Event>{Event::escalated});
}

TEST_CASE("an ack for a duration expires and escalation resumes", "[alerting][ack]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  const auto fired = engine.observe(result("disk", Status::warning));
  clock.advance(2min);
  REQUIRE(engine.ack(fired[0].alert.id, "alice", std::chrono::seconds{30min}, "after the deploy").ok());
  // The ack ran out (at 32 min): those paged are reminded, tier 2 follows its 10 min gap later.
  const auto resumed = tick_when_due(engine, clock, 30min);
  REQUIRE(resumed.size() == 1);
  CHECK(resumed[0].event == Event::repeat);
  const auto tier2 = tick_when_due(engine, clock, 10min);
  REQUIRE(tier2.size() == 1);
  CHECK(tier2[0].tier == 2);
}

TEST_CASE("a silence suppresses every page but the alert is still listed", "[alerting][silence]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  engine.silence(Silence{"disk", std::nullopt, clock.now() + 1h, "alice", "resizing"});
  CHECK(engine.observe(result("disk", Status::critical)).empty());
  clock.advance(45min);
  CHECK(engine.tick().empty());
  const auto rows = engine.list();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].silenced);
  CHECK_FALSE(rows[0].next_page.has_value());
  CHECK(engine.observe(result("probe", Status::warning)).size() == 1);  // other checks still page
  engine.silence(Silence{"probe", std::nullopt, clock.now() + 3h, "alice", "not this test's subject"});
  clock.advance(15min);
  const auto after = engine.tick();
  REQUIRE(after.size() == 1);
  CHECK(after[0].alert.check == "disk");
  CHECK(after[0].event == Event::firing);
  // escalation starts when the silence ends, not when it fired
  const auto tier2 = tick_when_due(engine, clock, 10min);
  REQUIRE(tier2.size() == 1);
  CHECK(tier2[0].alert.check == "disk");
  CHECK(tier2[0].tier == 2);
}

TEST_CASE("a silence on one fingerprint leaves the check's other alerts paging", "[alerting][silence]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  engine.silence(Silence{"wal", std::string("wal{slot=standby1}"), clock.now() + 1h, "alice", ""});
  auto wal = result("wal", Status::critical);
  wal.measurements = {slot_lag("standby1", 50), slot_lag("standby2", 50)};
  const auto fired = engine.observe(wal);
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].alert.fingerprint == "wal{slot=standby2}");
}

TEST_CASE("routes match check and severity and the first match wins", "[alerting][routes]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  Route db{"db", std::string("wal"), Severity::critical, {Tier{0s, {"dba"}}}, 0s};
  Route db_any{"db-any", std::string("wal"), std::nullopt, {Tier{0s, {"dba-mail"}}}, 0s};
  Route crit{"critical", std::nullopt, Severity::critical, {Tier{0s, {"phone"}}}, 0s};
  settings.routes = {db, db_any, crit};
  AlertEngine engine(settings, clock);
  CHECK(engine.observe(result("wal", Status::critical))[0].notifiers == std::vector<std::string>{"dba"});
  CHECK(engine.observe(result("disk", Status::critical))[0].notifiers == std::vector<std::string>{"phone"});
  CHECK(engine.observe(result("probe", Status::warning))[0].notifiers == std::vector<std::string>{"oncall"});
  CHECK(engine.observe(result("wal", Status::unknown))[0].notifiers == std::vector<std::string>{"dba-mail"});
}
