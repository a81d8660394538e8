// `hsops failover plan|status` against the stack's real primary, standby and Synapses: the
// plan reads who is primary and the replication without changing anything, refuses a
// switchover with the standby stopped (naming why), and status names an interrupted run.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>

#include "exec/exec.h"
#include "failover/actions.h"
#include "failover/haproxy_runtime.h"
#include "failover/journal.h"
#include "failover/playbook.h"
#include "pg/connection.h"
#include "support/stack_env.h"
#include "support/temp_dir.h"
#include "wal_test_support.h"

using namespace std::chrono_literals;
using hsops::test::stack_env;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

// A playbook for the stack: db1 the primary, db2 the standby, hs1 the Synapse, hs2 the spare
// (not running); the controls are never run by plan or status.
std::filesystem::path stack_playbook(const hsops::test::TempDir& dir, bool haproxy = false) {
  const auto& env = stack_env();
  const auto file = dir.path() / "playbook.yaml";
  std::ofstream(file) << "name: stack\n"
                         "state_dir: " << (dir.path() / "failover").string() << "\n"
                         "database:\n  primary: db1\n  standby: db2\n  nodes:\n"
                         "    db1:\n      conninfo: \"" << env.get("HSOPS_PG_PRIMARY") << "\"\n"
                         "      stop: {command: [/bin/false]}\n      start: {command: [/bin/false]}\n"
                         "    db2:\n      conninfo: \"" << env.get("HSOPS_PG_STANDBY") << "\"\n"
                         "      stop: {command: [/bin/false]}\n      start: {command: [/bin/false]}\n"
                         "homeserver:\n  active: hs1\n  spare: hs2\n  nodes:\n"
                         "    hs1:\n      url: " << env.get("HSOPS_SYNAPSE_URL") << "\n"
                         "      stop: {command: [/bin/false]}\n      start: {command: [/bin/false]}\n"
                         "    hs2:\n      url: " << env.get("HSOPS_SYNAPSE_SPARE_URL") << "\n"
                         "      stop: {command: [/bin/false]}\n      start: {command: [/bin/false]}\n"
                      << (haproxy ? "route:\n  haproxy:\n    socket: " + env.get("HSOPS_HAPROXY_SOCKET") +
                                        "\n    backend: synapse\n    servers: {hs1: master, hs2: spare}\n"
                                  : std::string("route:\n  exec:\n    to: {hs1: [/bin/true], hs2: [/bin/true]}\n"))
                      << 
                         "probe:\n  url: " << env.get("HSOPS_SYNAPSE_URL") << "\n"
                         "  user: '" << env.get("HSOPS_PROBE_USER") << "'\n"
                         "  password_file: " << env.get("HSOPS_PROBE_PASSWORD_FILE") << "\n";
  return file;
}

struct Run {
  int exit_code = -1;
  std::string out;
};

Run run_hsops(const std::vector<std::string>& args) {
  hsops::exec::Command c(kHsops, args);
  c.deadline = 60s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->timed_out);
  return {r->exit_code, r->out + r->err};
}

bool in_recovery(const std::string& conninfo) {
  auto db = hsops::pg::Connection::open(conninfo);
  REQUIRE(db.ok());
  auto rows = db.value().query("SELECT pg_is_in_recovery() AS r");
  REQUIRE(rows.ok());
  return rows->at(0, "r") == hsops::pg::Value("t");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("failover plan: reads the stack's roles and replication and changes nothing", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = stack_playbook(dir);
  const auto run = run_hsops({"failover", "plan", playbook.string()});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "playbook " + playbook.string() + ": valid (deployment stack)"));
  CHECK(contains(run.out, "database db1: primary, at "));
  CHECK(contains(run.out, "database db2: standby, replayed to "));
  CHECK(contains(run.out, "replication db1 -> db2: streaming"));
  CHECK(contains(run.out, "homeserver hs1: up [active]"));
  CHECK(contains(run.out, "homeserver hs2: down"));
  CHECK(contains(run.out, "switchover (db1 -> db2, hs1 -> hs2): would start"));
  CHECK(contains(run.out, "5/11 pg.fence db1 (primary)"));
  CHECK(contains(run.out, "back: pg.promote db1 (standby)"));  // the drill's switch back
  CHECK(contains(run.out, "nothing was changed."));
  CHECK_FALSE(in_recovery(stack_env().get("HSOPS_PG_PRIMARY")));
  CHECK(in_recovery(stack_env().get("HSOPS_PG_STANDBY")));
}

TEST_CASE("failover plan: with the standby stopped a switchover is refused and says why", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = stack_playbook(dir);
  hsops::test::wal::StandbyStopped standby;
  const auto run = run_hsops({"failover", "plan", playbook.string(), "--operation", "switchover", "-t", "2s"});
  INFO(run.out);
  CHECK(run.exit_code == 1);
  CHECK(contains(run.out, "database db2: unreachable"));
  CHECK(contains(run.out, "switchover (db1 -> db2, hs1 -> hs2): REFUSED now"));
  CHECK(contains(run.out, "refused: standby db2 is not connected to db1"));
}

TEST_CASE("failover status: no run yet then an interrupted run named by its step", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = stack_playbook(dir);
  auto run = run_hsops({"failover", "status", playbook.string()});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "last run: none recorded"));

  // A drill killed after fencing: the journal is all that is left of it.
  auto journal = hsops::failover::Journal::open(dir.path() / "failover" / "journal.jsonl");
  REQUIRE(journal.ok());
  using hsops::failover::StepState;
  for (const auto& e : std::vector<hsops::failover::JournalEntry>{
           {"r1", "drill", 0, "run", StepState::started, 1.0, "drill started", {}},
           {"r1", "drill", 4, "pg.fence", StepState::started, 2.0, "fencing db1", {}},
           {"r1", "drill", 4, "pg.fence", StepState::done, 3.0, "db1 stopped at 0/3000148", {}},
           {"r1", "drill", 5, "pg.wait_replay", StepState::started, 4.0, "waiting for db2 to replay 0/3000148", {}},
       }) {
    REQUIRE(journal.value().append(e).ok());
  }
  run = run_hsops({"failover", "status", playbook.string()});
  INFO(run.out);
  CHECK(contains(run.out, "last run: drill r1 (INTERRUPTED)"));
  CHECK(contains(run.out, "interrupted in step 5 pg.wait_replay: waiting for db2 to replay 0/3000148"));
}

TEST_CASE("failover plan: a playbook with an unknown step type is refused with file line and column", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = stack_playbook(dir);
  std::ofstream(playbook, std::ios::app) << "operations:\n  switchover:\n    - {type: pg.checkpoint}\n    - {type: pg.promot}\n";
  const auto run = run_hsops({"failover", "plan", playbook.string()});
  INFO(run.out);
  CHECK(run.exit_code == 3);
  CHECK(contains(run.out, playbook.string() + ":"));
  CHECK(contains(run.out, "operations.switchover[1].type: unknown step type 'pg.promot'"));
}

TEST_CASE("failover plan: an haproxy route is read through its runtime API", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = stack_playbook(dir, true);
  const auto run = run_hsops({"failover", "plan", playbook.string(), "--operation", "switchover"});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "route (haproxy): hs1 UP, hs2 MAINT"));
  CHECK(contains(run.out, "homeserver hs1: up [active]"));
}

TEST_CASE("failover route.switch moves the stack's haproxy to the spare and its undo moves it back", "[failover][stack]") {
  hsops::test::TempDir dir;
  const auto playbook = hsops::failover::load_playbook(stack_playbook(dir, true));
  const std::string socket = stack_env().get("HSOPS_HAPROXY_SOCKET");
  // Whatever happens below, the stack's route is left as it was: master serving.
  struct Restore {
    std::string socket;
    ~Restore() {
      (void)hsops::failover::set_server_state(socket, "synapse", "master", "ready", 2000ms);
      (void)hsops::failover::set_server_state(socket, "synapse", "spare", "maint", 2000ms);
    }
  } restore{socket};
  auto states = [&] {
    std::map<std::string, std::string> out;
    auto servers = hsops::failover::haproxy_servers(socket, "synapse", 2000ms);
    REQUIRE(servers.ok());
    for (const auto& s : servers.value()) out[s.name] = s.status;
    return out;
  };
  hsops::failover::RunState run_state;
  hsops::failover::StepSpec step;
  step.type = "route.switch";
  step.node_role = "spare";
  auto action = hsops::failover::make_action(step, hsops::failover::Roles{"db1", "db2", "hs1", "hs2"}, playbook, run_state);
  REQUIRE(action);
  auto done = action->run(std::chrono::steady_clock::now() + 5s);
  INFO((done.ok() ? done->detail : done.error().message));
  REQUIRE(done.ok());
  auto now = states();
  CHECK(now["master"] == "MAINT");
  CHECK(now["spare"] != "MAINT");  // ready; DOWN by its health check while the spare Synapse is stopped
  REQUIRE(action->undo(done.value(), std::chrono::steady_clock::now() + 5s).ok());
  now = states();
  CHECK(now["master"].rfind("UP", 0) == 0);
  CHECK(now["spare"] == "MAINT");
}
