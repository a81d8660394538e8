#include <catch2/catch.hpp>

#include "alerting/engine.h"
#include "engine_fixture.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace hsops::alerting::test;

TEST_CASE("an alert fires only once the check stayed non-OK for its for: duration", "[alerting][for]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.for_by_check["disk"] = 5min;
  AlertEngine engine(settings, clock);
  CHECK(engine.observe(result("disk", Status::critical)).empty());
  clock.advance(4min + 59s);
  CHECK(engine.observe(result("disk", Status::critical)).empty());
  CHECK(engine.tick().empty());
  CHECK(engine.list().empty());
  clock.advance(1s);
  const auto fired = engine.tick();
  REQUIRE(fired.size() == 1);
  CHECK(fired[0].event == Event::firing);
  CHECK(fired[0].tier == 1);
  CHECK(fired[0].notifiers == std::vector<std::string>{"oncall"});
  CHECK(fired[0].alert.severity == Severity::critical);
  CHECK(fired[0].alert.summary == "summary");
}

TEST_CASE("an OK run before for: ends cancels the pending alert", "[alerting][for]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.default_for = 2min;
  AlertEngine engine(settings, clock);
  CHECK(engine.observe(result("wal", Status::warning)).empty());
  clock.advance(1min);
  CHECK(engine.observe(result("wal", Status::ok)).empty());
  clock.advance(1min);
  CHECK(engine.observe(result("wal", Status::warning)).empty());
  clock.advance(1min);
  CHECK(engine.tick().empty());
  clock.advance(1min);
  CHECK(events(engine.tick()) == std::vector<Event>{Event::firing});
}

TEST_CASE("an alert resolves when OK again and the resolution goes to those paged", "[alerting][resolve]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  CHECK(events(engine.observe(result("probe", Status::critical))) == std::vector<Event>{Event::firing});
  clock.advance(11min);
  CHECK(events(engine.tick()) == std::vector<Event>{Event::escalated});
  clock.advance(1min);
  const auto resolved = engine.observe(result("probe", Status::ok));
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].event == Event::resolved);
  CHECK(resolved[0].notifiers == std::vector<std::string>{"oncall", "backup"});
  CHECK(engine.list().empty());
}

TEST_CASE("UNKNOWN is its own cannot-tell alert and is never taken for OK", "[alerting][unknown]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  CHECK(events(engine.observe(result("clock", Status::critical))) == std::vector<Event>{Event::firing});
  const auto unknown = engine.observe(result("clock", Status::unknown, "cannot reach any NTP server"));
  // The UNKNOWN alert fires and the CRITICAL one resolves: they are different alerts.
  REQUIRE(unknown.size() == 2);
  CHECK(unknown[0].event == Event::firing);
  CHECK(unknown[0].alert.severity == Severity::unknown);
  CHECK(unknown[0].alert.summary == "cannot reach any NTP server");
  CHECK(unknown[1].event == Event::resolved);
  CHECK(unknown[1].alert.severity == Severity::critical);
  REQUIRE(engine.list().size() == 1);
  CHECK(engine.list()[0].alert.severity == Severity::unknown);
}

TEST_CASE("the same failure keeps its id and another slot is another alert", "[alerting][fingerprint]") {
  FakeClock clock;
  AlertEngine engine(three_tiers(), clock);
  auto wal = result("wal", Status::critical);
  wal.measurements = {slot_lag("standby1", 50), slot_lag("standby2", 1)};
  const auto first = engine.observe(wal);
  REQUIRE(first.size() == 1);
  CHECK(first[0].alert.fingerprint == "wal{slot=standby1}");
  CHECK(first[0].alert.id == short_id("wal{slot=standby1}"));
  CHECK(first[0].alert.id.size() == 6);
  CHECK(engine.observe(wal).empty());
  REQUIRE(engine.list().size() == 1);

  wal.measurements = {slot_lag("standby1", 50), slot_lag("standby2", 40)};
  const auto second = engine.observe(wal);
  REQUIRE(second.size() == 1);
  CHECK(second[0].alert.fingerprint == "wal{slot=standby2}");
  CHECK(second[0].alert.id != first[0].alert.id);
  CHECK(engine.list().size() == 2);

  wal.measurements = {slot_lag("standby1", 1), slot_lag("standby2", 40)};
  const auto recovered = engine.observe(wal);
  REQUIRE(recovered.size() == 1);
  CHECK(recovered[0].event == Event::resolved);
  CHECK(recovered[0].alert.fingerprint == "wal{slot=standby1}");
}

TEST_CASE("short ids are fixed across builds", "[alerting][fingerprint]") {
  // FNV-1a 64 of "disk" is ca44a367578f8a84: a changed hash would orphan acks in saved state.
  CHECK(short_id("disk") == "ca44a3");
  CHECK(short_id("disk") != short_id("disk{mount=/var}"));
  CHECK(fingerprint_of("bridge", {{"direction", "hs_to_bridge"}}) == "bridge{direction=hs_to_bridge}");
}

TEST_CASE("a flapping alert pages once and resolves only after the hold time", "[alerting][flap]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.flap = FlapSettings{2, 30min, 10min};
  settings.default_route.tiers = {Tier{0s, {"oncall"}}};  // escalation would go on while flapping
  AlertEngine engine(settings, clock);
  CHECK(events(engine.observe(result("bridge", Status::warning))) == std::vector<Event>{Event::firing});
  clock.advance(1min);
  CHECK(events(engine.observe(result("bridge", Status::ok))) == std::vector<Event>{Event::resolved});
  clock.advance(1min);
  const auto third = engine.observe(result("bridge", Status::warning));  // third flip: flapping
  REQUIRE(third.size() == 1);
  CHECK(third[0].alert.flapping);
  for (int i = 0; i < 5; ++i) {
    clock.advance(1min);
    CHECK(engine.observe(result("bridge", Status::ok)).empty());
    clock.advance(1min);
    CHECK(engine.observe(result("bridge", Status::warning)).empty());
  }
  clock.advance(1min);
  CHECK(engine.observe(result("bridge", Status::ok)).empty());
  clock.advance(9min);
  CHECK(engine.tick().empty());
  REQUIRE(engine.list().size() == 1);
  CHECK(engine.list()[0].alert.flapping);
  clock.advance(1min);
  CHECK(events(engine.tick()) == std::vector<Event>{Event::resolved});
  CHECK(engine.list().empty());
}
