#include <catch2/catch.hpp>

#include "failover/engine.h"
#include "fake_action.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::failover;
using namespace std::chrono_literals;

using namespace hsops::failover::test_fakes;

namespace {

struct Fixture {
  test::TempDir dir;
  FakeClock clock;
  Script script;
  std::vector<std::string> progress;
  const Roles roles{"db1", "db2", "hs1", "hs2"};

  RunReport run(const Operation& op) {
    auto journal = Journal::open(dir.path() / "journal.jsonl");
    REQUIRE(journal.ok());
    ActionFactory make = [this](const StepSpec& s, const Roles& r) {
      return std::make_unique<FakeAction>(script, clock, s.type, r.node_for(s.node_role));
    };
    RunOptions options{"run-1", op.name, [this](const std::string& line) { progress.push_back(line); }};
    return run_operation(op, roles, journal.value(), make, clock, options);
  }
  std::vector<JournalEntry> journal() {
    auto read = read_journal(dir.path() / "journal.jsonl");
    REQUIRE(read.ok());
    return read->entries;
  }
};

Operation switchover() { return Operation{"switchover", default_steps("switchover")}; }

}  // namespace

TEST_CASE("failover engine: every step runs in order and is journaled before and after", "[failover][engine]") {
  Fixture f;
  f.script.seconds = {{"pg.promote", 1.5}, {"probe", 0.5}};
  const auto report = f.run(switchover());
  CHECK(report.ok);
  CHECK(report.left_state == "every step done");
  REQUIRE(report.steps.size() == 11);
  CHECK(f.script.calls.front() == "run pg.check_replication db2");
  CHECK(f.script.calls[4] == "run pg.fence db1");
  CHECK(f.script.calls[6] == "run pg.promote db2");
  CHECK(report.steps[6].seconds == Approx(1.5));
  CHECK(report.seconds == Approx(2.0));
  CHECK(f.progress[0].rfind("step 1/11 pg.check_replication db2: refuse unless", 0) == 0);
  CHECK(f.progress[13] == "step 7/11 pg.promote db2: done in 1.5 s: pg.promote db2 ok");
  const auto entries = f.journal();
  REQUIRE(entries.size() == 2 + 2 * 11);
  CHECK(entries.front().type == "run");
  CHECK(entries[9].type == "pg.fence");
  CHECK(entries[9].state == StepState::started);
  CHECK(entries[10].state == StepState::done);
  CHECK(entries[10].data["node"] == "db1");
  const auto run = last_run(entries);
  REQUIRE(run);
  CHECK(run->finished);
  CHECK_FALSE(run->in_flight);
}

TEST_CASE("failover engine: a failed step stops the run and undoes completed steps in reverse", "[failover][engine]") {
  Fixture f;
  f.script.fails = {"pg.wait_replay"};
  const auto report = f.run(switchover());
  CHECK_FALSE(report.ok);
  CHECK(report.steps[5].state == StepState::failed);
  CHECK(report.steps[5].detail == "pg.wait_replay on db2 failed");
  CHECK(report.steps[6].state == StepState::skipped);  // no promotion after a failed replay wait
  CHECK(report.steps[4].state == StepState::undone);   // the fenced primary is started again
  CHECK(report.steps[2].state == StepState::undone);   // and the homeserver
  const std::vector<std::string> tail(f.script.calls.end() - 2, f.script.calls.end());
  CHECK(tail == std::vector<std::string>{"undo pg.fence db1", "undo homeserver.stop hs1"});
  CHECK(report.left_state ==
        "step 6/11 pg.wait_replay db2 failed: pg.wait_replay on db2 failed; undone: pg.fence db1, homeserver.stop hs1");
  const auto run = last_run(f.journal());
  REQUIRE(run);
  CHECK(run->finished);
}

TEST_CASE("failover engine: an undo that fails is named for the operator", "[failover][engine]") {
  Fixture f;
  f.script.fails = {"pg.promote"};
  f.script.undo_fails = {"pg.fence"};
  const auto report = f.run(switchover());
  CHECK(report.steps[4].state == StepState::undo_failed);
  CHECK(report.steps[2].state == StepState::undone);  // the other undos still run
  CHECK(report.left_state.find("NOT undone, fix by hand: pg.fence db1 (start refused)") != std::string::npos);
}

TEST_CASE("failover engine: a step over its budget fails the run's ok but not the run", "[failover][engine]") {
  Fixture f;
  auto op = switchover();
  op.steps[6].budget = 1000ms;
  f.script.seconds = {{"pg.promote", 2.5}};
  const auto report = f.run(op);
  CHECK_FALSE(report.ok);
  CHECK(report.left_state == "every step done");
  CHECK(report.steps[6].over_budget);
  CHECK(f.progress[13] == "step 7/11 pg.promote db2: done in 2.5 s (OVER BUDGET): pg.promote db2 ok");
}

TEST_CASE("failover engine: the drill's second half acts on the swapped roles", "[failover][engine]") {
  Fixture f;
  const auto report = f.run(Operation{"drill", default_steps("drill")});
  CHECK(report.ok);
  std::vector<std::string> promotions;
  for (const auto& c : f.script.calls) {
    if (c.rfind("run pg.promote", 0) == 0 || c.rfind("run pg.fence", 0) == 0) promotions.push_back(c);
  }
  CHECK(promotions == std::vector<std::string>{"run pg.fence db1", "run pg.promote db2", "run pg.fence db2", "run pg.promote db1"});
  CHECK(report.steps[12].type == "pg.reattach");
  CHECK(report.steps[12].node == "db1");
  CHECK(report.steps.back().type == "pg.reattach");
  CHECK(report.steps.back().node == "db2");  // the node fenced on the way back follows again
}

TEST_CASE("failover engine: run ids are UTC time and a suffix", "[failover][engine]") {
  const FakeClock clock;
  const auto id = new_run_id(clock);
  CHECK(id.rfind("20231114T221320Z-", 0) == 0);
  CHECK(id.size() == 21);
}

TEST_CASE("failover engine: after a promotion the old primary is never started again by an undo", "[failover][engine]") {
  Fixture f;
  f.script.fails = {"probe"};
  const auto report = f.run(switchover());
  CHECK_FALSE(report.ok);
  CHECK(report.steps[4].state == StepState::done);    // pg.fence db1: kept, db1 stays down
  CHECK(report.steps[2].state == StepState::done);    // homeserver.stop hs1: kept
  for (const auto& c : f.script.calls) CHECK(c != "undo pg.fence db1");
  CHECK(report.steps[9].state == StepState::done);    // route.switch hs2: clients stay on the new side
  CHECK(report.left_state ==
        "step 11/11 probe failed: probe on  failed; db2 was promoted and stays primary (not undone, to keep one primary: "
        "route.switch hs2, homeserver.start hs2, pg.fence db1, homeserver.stop hs1)");
}

TEST_CASE("failover engine: a drill failing on its way back undoes only the way back", "[failover][engine]") {
  Fixture f;
  f.script.fails = {"pg.wait_replay"};
  // Only the way back's replay wait fails.
  auto op = Operation{"drill", default_steps("drill")};
  op.steps[5].type = "wait";  // the first half's replay wait becomes a harmless step in this fake
  op.steps[5].node_role = "";
  const auto report = f.run(op);
  CHECK_FALSE(report.ok);
  CHECK(report.steps[18].state == StepState::failed);   // back: pg.wait_replay db1
  CHECK(report.steps[17].state == StepState::undone);   // back: pg.fence db2 -> db2 started again
  CHECK(report.steps[15].state == StepState::undone);   // back: homeserver.stop hs2 -> started again
  CHECK(report.steps[9].state == StepState::done);      // route.switch hs2 of the first half stays
  CHECK(report.steps[4].state == StepState::done);      // the first half's fence stays
  CHECK(report.left_state.find("db2 was promoted and stays primary") != std::string::npos);
}
