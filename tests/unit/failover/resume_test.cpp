#include <catch2/catch.hpp>

#include "failover/resume.h"
#include "fake_action.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::failover;
using namespace hsops::failover::test_fakes;

namespace {

// The roles the interrupted run recorded; deliberately not db1/db2 so a test sees they are used.
const Roles kRecorded{"dbA", "dbB", "hsA", "hsB"};

Operation switchover() { return Operation{"switchover", default_steps("switchover")}; }

struct Fixture {
  test::TempDir dir;
  FakeClock clock;
  Script script;
  std::vector<std::string> progress;

  std::filesystem::path file() const { return dir.path() / "journal.jsonl"; }

  // A run killed with steps 1..done_steps done and, when `in_flight`, the next one started.
  void interrupted(const Operation& op, int done_steps, bool in_flight, const Roles& roles = kRecorded) {
    auto journal = Journal::open(file());
    REQUIRE(journal.ok());
    const auto add = [&](int step, const std::string& type, StepState state, nlohmann::json data) {
      REQUIRE(journal.value().append(JournalEntry{"run-1", op.name, step, type, state, 1.0 + step, type + " detail", data}).ok());
    };
    add(0, "run", StepState::started, {{"roles", to_json(roles)}});
    for (int i = 1; i <= done_steps + (in_flight ? 1 : 0); ++i) {
      const StepSpec& s = op.steps[static_cast<std::size_t>(i - 1)];
      add(i, s.type, StepState::started, nlohmann::json::object());
      if (i <= done_steps) add(i, s.type, StepState::done, {{"node", node_of(s, roles)}});
    }
  }
  std::vector<JournalEntry> entries() {
    auto read = read_journal(file());
    REQUIRE(read.ok());
    return read->entries;
  }
  Interrupted find(const Operation& op) {
    auto found = find_interrupted(entries(), op);
    REQUIRE(found.ok());
    return found.value();
  }
  ActionFactory factory() {
    return [this](const StepSpec& s, const Roles& r) { return std::make_unique<FakeAction>(script, clock, s.type, r.node_for(s.node_role)); };
  }
  RunReport resume(const Operation& op) {
    const Interrupted run = find(op);
    auto journal = Journal::open(file());
    REQUIRE(journal.ok());
    RunOptions options{run.run.run_id, op.name, [this](const std::string& l) { progress.push_back(l); }, &run.run};
    return run_operation(op, run.roles, journal.value(), factory(), clock, options);
  }
  RunReport rollback(const Operation& op) {
    const Interrupted run = find(op);
    auto journal = Journal::open(file());
    REQUIRE(journal.ok());
    RunOptions options{run.run.run_id, op.name, [this](const std::string& l) { progress.push_back(l); }, nullptr};
    return rollback_operation(op, run, journal.value(), factory(), clock, options);
  }
};

InRecovery answers(std::optional<bool> in_recovery) {
  return [in_recovery](const std::string&) { return in_recovery; };
}

}  // namespace

TEST_CASE("failover resume: done steps are skipped and the in-flight step and the rest run with the recorded roles", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  f.interrupted(op, 5, true);  // fenced; killed while waiting for replay
  const auto report = f.resume(op);
  CHECK(report.ok);
  CHECK(report.run_id == "run-1");
  CHECK(report.mode == "resume");
  const std::vector<std::string> expected{
      "resume pg.check_replication dbB", "resume confirm ",   "resume homeserver.stop hsA", "resume pg.checkpoint dbA",
      "resume pg.fence dbA",             "run pg.wait_replay dbB", "run pg.promote dbB",    "run pg.verify_primary dbB",
      "run homeserver.start hsB",        "run route.switch hsB",   "run probe "};
  CHECK(f.script.calls == expected);
  CHECK(report.steps[4].state == StepState::done);
  CHECK(report.steps[4].detail == "done in the earlier attempt: pg.fence detail");
  CHECK(f.progress[4] == "step 5/11 pg.fence dbA: done in the earlier attempt");
  // The journal says it was resumed, and the run is finished now.
  const auto entries = f.entries();
  const auto resumed = std::find_if(entries.begin(), entries.end(), [](const JournalEntry& e) { return e.data.value("resumed", false); });
  REQUIRE(resumed != entries.end());
  CHECK(resumed->data["roles"]["primary"] == "dbA");
  const auto run = last_run(entries);
  REQUIRE(run);
  CHECK(run->finished);
  CHECK(run->run_id == "run-1");
}

TEST_CASE("failover resume: a failure after resuming undoes the earlier attempt's steps too", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  f.interrupted(op, 5, true);
  f.script.fails = {"pg.wait_replay"};
  const auto report = f.resume(op);
  CHECK_FALSE(report.ok);
  const std::vector<std::string> tail(f.script.calls.end() - 2, f.script.calls.end());
  CHECK(tail == std::vector<std::string>{"undo pg.fence dbA", "undo homeserver.stop hsA"});
}

TEST_CASE("failover rollback: completed steps are undone in reverse with their journaled data", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  f.interrupted(op, 5, true);
  const auto run = f.find(op);
  CHECK_FALSE(rollback_refusal(run, op, answers(true)));
  const auto report = f.rollback(op);
  CHECK(report.ok);
  CHECK(report.mode == "rollback");
  CHECK(f.script.calls == std::vector<std::string>{"undo pg.fence dbA", "undo homeserver.stop hsA"});
  CHECK(report.steps[4].state == StepState::undone);
  CHECK(report.steps[2].state == StepState::undone);
  CHECK(report.steps[5].state == StepState::started);  // the wait for replay, cut short: nothing to undo
  CHECK(report.steps[6].state == StepState::skipped);
  CHECK(report.left_state == "rolled back; undone: pg.fence dbA, homeserver.stop hsA");
  CHECK(interrupted_roles(run, op).primary == "dbA");
  const auto after = last_run(f.entries());
  REQUIRE(after);
  CHECK(after->finished);
  CHECK(after->step(5)->state == StepState::undone);
}

TEST_CASE("failover rollback: a step cut short is undone too since it may have acted", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  f.interrupted(op, 4, true);  // killed while fencing: dbA may be down
  const auto report = f.rollback(op);
  CHECK(report.ok);
  CHECK(f.script.calls == std::vector<std::string>{"undo pg.fence ", "undo homeserver.stop hsA"});
}

TEST_CASE("failover rollback: refused once the promotion is done or the standby left recovery", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  SECTION("the journal says the promotion is done") {
    f.interrupted(op, 7, true);
    const auto why = rollback_refusal(f.find(op), op, answers(true));
    REQUIRE(why);
    CHECK(why->rfind("dbB was promoted (step 7/11 pg.promote dbB done): it is now the only primary", 0) == 0);
    CHECK(why->find("`hsops failover switchover --resume` finishes the move") != std::string::npos);
  }
  SECTION("the promotion was cut short and the standby answers as a primary") {
    f.interrupted(op, 6, true);
    const auto why = rollback_refusal(f.find(op), op, answers(false));
    REQUIRE(why);
    CHECK(why->rfind("dbB is no longer in recovery (step 7/11 pg.promote dbB)", 0) == 0);
  }
  SECTION("the promotion was cut short and the standby does not answer") {
    f.interrupted(op, 6, true);
    const auto why = rollback_refusal(f.find(op), op, answers(std::nullopt));
    REQUIRE(why);
    CHECK(why->find("may be a primary now") != std::string::npos);
  }
  SECTION("the promotion was cut short and the standby is still in recovery") {
    f.interrupted(op, 6, true);
    CHECK_FALSE(rollback_refusal(f.find(op), op, answers(true)));
  }
}

TEST_CASE("failover rollback: a drill cut short on its way back undoes only the way back", "[failover][resume]") {
  Fixture f;
  const Operation drill{"drill", default_steps("drill")};
  std::size_t back_fence = 0;
  for (std::size_t i = 0; i < drill.steps.size(); ++i) {
    if (back_half(drill.steps[i]) && drill.steps[i].type == "pg.fence") back_fence = i;
  }
  REQUIRE(back_fence > 0);
  f.interrupted(drill, static_cast<int>(back_fence + 1), true);  // the way back fenced dbB
  const auto run = f.find(drill);
  CHECK_FALSE(rollback_refusal(run, drill, answers(true)));  // the first half's promotion does not count
  CHECK(interrupted_roles(run, drill).primary == "dbB");
  const auto report = f.rollback(drill);
  CHECK(report.ok);
  CHECK(f.script.calls == std::vector<std::string>{"undo pg.fence dbB", "undo homeserver.stop hsB"});
}

TEST_CASE("failover resume: no unfinished run is refused", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  auto none = find_interrupted({}, op);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().kind == ErrorKind::state);
  CHECK(none.error().message == "the journal has no failover run: nothing to resume or roll back");
  // A finished run is not resumed either.
  f.interrupted(op, 11, false);
  auto journal = Journal::open(f.file());
  REQUIRE(journal.ok());
  REQUIRE(journal.value().append(JournalEntry{"run-1", "switchover", 0, "run", StepState::done, 20, "every step done", {}}).ok());
  auto finished = find_interrupted(f.entries(), op);
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.error().message == "the last run (switchover run-1) finished: nothing to resume or roll back");
}

TEST_CASE("failover resume: another operation's interrupted run is refused", "[failover][resume]") {
  Fixture f;
  f.interrupted(Operation{"drill", default_steps("drill")}, 3, true);
  auto found = find_interrupted(f.entries(), switchover());
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message ==
        "the interrupted run run-1 is a drill, not a switchover: use `hsops failover drill --resume` or `--rollback`");
}

TEST_CASE("failover resume: a playbook whose steps changed since the run is refused", "[failover][resume]") {
  Fixture f;
  auto op = switchover();
  f.interrupted(op, 5, true);
  op.steps[4].type = "wait";
  auto found = find_interrupted(f.entries(), op);
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message.find("steps changed since run run-1 (its step 5 was pg.fence)") != std::string::npos);
}

TEST_CASE("failover status: an interrupted run names its step and what to run next", "[failover][resume]") {
  Fixture f;
  const auto op = switchover();
  SECTION("before the promotion: resume or roll back") {
    f.interrupted(op, 5, true);
    const auto lines = describe_interrupted(*last_run(f.entries()), &op);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "interrupted in step 6/11 pg.wait_replay dbB (started, never ended)");
    CHECK(lines[1] == "next: `hsops failover switchover --resume` finishes it, or `hsops failover switchover --rollback` "
                      "goes back to dbA as primary");
  }
  SECTION("after the promotion: only resume") {
    f.interrupted(op, 7, false);
    const auto lines = describe_interrupted(*last_run(f.entries()), &op);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "interrupted after step 7/11 pg.promote dbB (done)");
    CHECK(lines[1] == "next: `hsops failover switchover --resume` finishes it (a rollback is refused: dbB was promoted "
                      "(step 7/11 pg.promote dbB done))");
  }
}
