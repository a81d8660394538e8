#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "alerting/engine.h"
#include "alerting/state.h"
#include "engine_fixture.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace hsops::alerting::test;

namespace {
std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("hsops-alerting-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("after a restart tier 1 is not paged again and tier 2 comes on time", "[alerting][state]") {
  const auto dir = temp_dir("restart");
  const auto file = dir / "alerts.json";
  FakeClock clock;
  {
    AlertEngine engine(three_tiers(), clock);
    REQUIRE(engine.observe(result("wal", Status::critical)).size() == 1);
    engine.silence(Silence{"disk", std::nullopt, clock.now() + 2h, "alice", "resize"});
    clock.advance(4min);
    REQUIRE(save_state(file, engine.state()).ok());
  }
  clock.advance(1min);  // the watchdog was down for a minute
  auto state = load_state(file);
  REQUIRE(state.ok());
  AlertEngine engine(three_tiers(), clock, state.value());
  CHECK(engine.observe(result("wal", Status::critical)).empty());
  CHECK(engine.tick().empty());
  REQUIRE(engine.list().size() == 1);
  CHECK(engine.list()[0].alert.tier == 1);
  CHECK(engine.observe(result("disk", Status::critical)).empty());  // the silence survived
  const auto tier2 = tick_when_due(engine, clock, 5min);
  REQUIRE(tier2.size() == 1);
  CHECK(tier2[0].event == Event::escalated);
  CHECK(tier2[0].alert.check == "wal");
  std::filesystem::remove_all(dir);
}

TEST_CASE("state survives a JSON round trip with acks and pending alerts", "[alerting][state]") {
  FakeClock clock;
  EngineSettings settings = three_tiers();
  settings.for_by_check["disk"] = 5min;
  AlertEngine engine(settings, clock);
  const auto fired = engine.observe(result("wal", Status::critical));
  REQUIRE(engine.ack(fired[0].alert.id, "alice", std::chrono::seconds{1h}, "on it").ok());
  engine.observe(result("disk", Status::warning));
  const auto doc = state_to_json(engine.state());
  auto restored = state_from_json(doc);
  REQUIRE(restored.ok());
  CHECK(state_to_json(restored.value()) == doc);
  AlertEngine again(settings, clock, restored.value());
  clock.advance(5min);
  CHECK(events(again.tick()) == std::vector<Event>{Event::firing});  // the pending for: kept its start
}

TEST_CASE("a corrupt state file is an error value naming the file", "[alerting][state]") {
  const auto dir = temp_dir("corrupt");
  const auto file = dir / "alerts.json";
  { std::ofstream(file) << "{\"version\": 1, \"alerts\": [tru"; }
  auto broken = load_state(file);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().kind == ErrorKind::parse);
  CHECK(broken.error().message.find(file.string()) != std::string::npos);

  { std::ofstream(file) << R"({"version": 1, "alerts": [{"check": 3}], "pending": [], "silences": [], "flips": {}})"; }
  auto wrong = load_state(file);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find(file.string()) != std::string::npos);

  { std::ofstream(file) << R"({"version": 99})"; }
  CHECK_FALSE(load_state(file).ok());

  auto missing = load_state(dir / "none.json");
  REQUIRE(missing.ok());
  CHECK(missing.value().alerts.empty());

  CHECK_FALSE(load_state(dir).ok());  // a directory cannot be read as a state file
  CHECK_FALSE(save_state(dir / "no-such-dir" / "alerts.json", EngineState{}).ok());
  std::filesystem::remove_all(dir);
}
