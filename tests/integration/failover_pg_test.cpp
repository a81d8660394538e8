// The pg.* steps for real: a PostgreSQL 15 primary and streaming standby of the test's own
// (not the shared stack's), switched over with zero loss and switched back, through the engine
// with its journal. Runs the servers as the `postgres` OS user; everything is removed at the end.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <unistd.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "exec/exec.h"
#include "failover/actions.h"
#include "failover/engine.h"
#include "failover/run_lock.h"
#include "pg/connection.h"
#include "support/child_process.h"
#include "support/postgres_commands.h"
#include "support/local_http_server.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace hsops::failover;

namespace {

const std::string& kBin = hsops::test::kPgBin;
using hsops::test::as_postgres;
using hsops::test::run_ok;

// The one run's JSON report in a reports dir, after checking its readable summary is beside it.
nlohmann::json json_report(const fs::path& reports) {
  REQUIRE(fs::exists(reports));
  fs::path json_file;
  for (const auto& f : fs::directory_iterator(reports)) {
    if (f.path().extension() == ".json") json_file = f.path();
  }
  REQUIRE_FALSE(json_file.empty());
  CHECK(fs::exists(fs::path(json_file).replace_extension(".txt")));
  return nlohmann::json::parse(std::ifstream(json_file));
}

// Two clusters under a temp dir, db1 primary and db2 its streaming standby (slot hsops_db2).
struct PgPair {
  hsops::test::TempDir dir;
  fs::path sock;
  int port1 = hsops::test::free_loopback_port();
  int port2 = hsops::test::free_loopback_port();

  PgPair() {
    sock = dir.path() / "sock";
    fs::create_directories(sock);
    passwd* pg = ::getpwnam("postgres");
    REQUIRE(pg != nullptr);
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    REQUIRE(::chown(dir.path().c_str(), pg->pw_uid, pg->pw_gid) == 0);
    REQUIRE(::chown(sock.c_str(), pg->pw_uid, pg->pw_gid) == 0);
    run_ok(as_postgres({kBin + "initdb", "-D", data("db1"), "-U", "postgres", "--auth=trust", "--data-checksums", "-N"}));
    std::ofstream(data("db1") + "/postgresql.conf", std::ios::app)
        << "listen_addresses = ''\nunix_socket_directories = '" << sock.string() << "'\nfsync = off\nhot_standby = on\n";
    run_ok(start_argv("db1", port1));
    run_ok(as_postgres({kBin + "pg_basebackup", "-h", sock.string(), "-p", std::to_string(port1), "-U", "postgres", "-D",
                        data("db2"), "-R", "-X", "stream", "-C", "-S", "hsops_db2", "-c", "fast", "--no-sync"}));
    run_ok(start_argv("db2", port2));
  }
  ~PgPair() {
    for (const char* node : {"db1", "db2"}) {
      hsops::exec::Command c("runuser", {"-u", "postgres", "--", kBin + "pg_ctl", "-D", data(node), "-m", "immediate", "-w", "stop"});
      c.deadline = 30s;
      (void)hsops::exec::run(c);
    }
  }
  std::string data(const std::string& node) const { return (dir.path() / node).string(); }
  std::vector<std::string> start_argv(const std::string& node, int port) const {
    return as_postgres({kBin + "pg_ctl", "-D", data(node), "-l", data(node) + ".log", "-o", "-p " + std::to_string(port),
                        "-w", "-t", "60", "start"});
  }
  std::vector<std::string> stop_argv(const std::string& node) const {
    return as_postgres({kBin + "pg_ctl", "-D", data(node), "-m", "fast", "-w", "-t", "60", "stop"});
  }
  std::string conninfo(int port) const { return "host=" + sock.string() + " port=" + std::to_string(port) + " user=postgres dbname=postgres"; }

  Playbook playbook() const {
    Playbook p;
    p.name = "pair";
    for (const auto& [node, port] : {std::pair{std::string("db1"), port1}, std::pair{std::string("db2"), port2}}) {
      DatabaseNode n;
      n.name = node;
      n.target.conninfo = conninfo(port);
      n.data_dir = data(node);
      n.stop = Control{"", stop_argv(node), 60s};
      n.start = Control{"", start_argv(node, port), 60s};
      p.databases[node] = n;
    }
    p.primary = "db1";
    p.standby = "db2";
    return p;
  }
};

std::string sql(const std::string& conninfo, const std::string& statement) {
  auto db = hsops::pg::Connection::open(conninfo);
  REQUIRE(db.ok());
  auto rows = db.value().query(statement);
  INFO(statement);
  REQUIRE(rows.ok());
  return rows->empty() ? "" : rows->rows[0][0].value_or("");
}

// The database half of a switchover: fence, replay, promote, verify, then the old primary
// becomes the new one's standby.
Operation database_switchover() {
  Operation op{"switchover", {}};
  for (const auto& type : {"pg.checkpoint", "pg.fence", "pg.wait_replay", "pg.promote", "pg.verify_primary", "pg.reattach"}) {
    StepSpec s;
    s.type = type;
    s.node_role = std::string(find_step_type(type)->default_role);
    s.deadline = 60s;
    op.steps.push_back(s);
  }
  return op;
}

RunReport switch_over(const Playbook& p, const Roles& roles, const fs::path& journal_file) {
  auto journal = Journal::open(journal_file);
  REQUIRE(journal.ok());
  RunState state;
  const Operation op = database_switchover();
  ActionFactory make = [&](const StepSpec& s, const Roles& r) { return make_action(s, r, p, state); };
  static const hsops::SystemClock clock;
  std::vector<std::string> lines;
  RunOptions options{new_run_id(clock), "switchover", [&](const std::string& l) { lines.push_back(l); }};
  auto report = run_operation(op, roles, journal.value(), make, clock, options);
  std::string all;
  for (const auto& l : lines) all += l + "\n";
  INFO(all);
  CHECK(report.ok);
  return report;
}

}  // namespace

TEST_CASE("failover pg steps: a real switchover loses nothing and the old primary follows and then it goes back", "[failover][integration]") {
  PgPair pair;
  const auto p = pair.playbook();
  const std::string db1 = pair.conninfo(pair.port1), db2 = pair.conninfo(pair.port2);
  sql(db1, "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
  sql(db1, "INSERT INTO messages (body) SELECT 'before ' || g FROM generate_series(1, 100) g");

  const auto there = switch_over(p, Roles{"db1", "db2", "", ""}, pair.dir.path() / "journal.jsonl");
  REQUIRE(there.ok);
  CHECK(there.steps[2].detail.find(": nothing lost") != std::string::npos);
  WARN("switchover there: " << there.seconds << " s; " << there.steps[1].detail << "; " << there.steps[2].detail);
  CHECK(sql(db2, "SELECT pg_is_in_recovery()::text") == "false");
  CHECK(sql(db1, "SELECT pg_is_in_recovery()::text") == "true");
  CHECK(sql(db2, "SELECT count(*) FROM messages") == "100");
  sql(db2, "INSERT INTO messages (body) VALUES ('on db2')");

  const auto back = switch_over(p, Roles{"db2", "db1", "", ""}, pair.dir.path() / "journal.jsonl");
  REQUIRE(back.ok);
  CHECK(sql(db1, "SELECT pg_is_in_recovery()::text") == "false");
  CHECK(sql(db2, "SELECT pg_is_in_recovery()::text") == "true");
  CHECK(sql(db1, "SELECT count(*) FROM messages") == "101");
  // Exactly one primary accepts writes.
  sql(db1, "INSERT INTO messages (body) VALUES ('on db1 again')");
  auto standby = hsops::pg::Connection::open(db2);
  REQUIRE(standby.ok());
  CHECK_FALSE(standby.value().query("INSERT INTO messages (body) VALUES ('must fail')").ok());

  const auto journal = read_journal(pair.dir.path() / "journal.jsonl");
  REQUIRE(journal.ok());
  const auto last = last_run(journal->entries);
  REQUIRE(last);
  CHECK(last->finished);
}

TEST_CASE("failover pg steps: a fence whose stop fails makes the primary read-only and says so", "[failover][integration]") {
  PgPair pair;
  auto p = pair.playbook();
  p.databases["db1"].stop = Control{"", {"/bin/false"}, 10s};
  RunState state;
  StepSpec fence;
  fence.type = "pg.fence";
  fence.node_role = "primary";
  auto action = make_action(fence, Roles{"db1", "db2", "", ""}, p, state);
  REQUIRE(action);
  auto done = action->run(std::chrono::steady_clock::now() + 20s);
  REQUIRE(done.ok());
  CHECK(done->detail.find("db1 could not be stopped") != std::string::npos);
  CHECK(done->detail.find("made read-only") != std::string::npos);
  auto db = hsops::pg::Connection::open(pair.conninfo(pair.port1));
  REQUIRE(db.ok());
  CHECK_FALSE(db.value().query("CREATE TABLE refused (i int)").ok());
  REQUIRE(action->undo(done.value(), std::chrono::steady_clock::now() + 20s).ok());
  CHECK(sql(pair.conninfo(pair.port1), "SHOW default_transaction_read_only") == "off");
}

namespace {

// The pair as a playbook file: the homeservers are fixture HTTP servers that answer
// /_matrix/client/versions, the route is a command, and the proof of service an exec step
// (the stack's drill test has the real probe).
// `cut_here`: a wait step after the fence (a window in which a test kills the run) and the
// old primary reattached as a standby at the end.
std::filesystem::path playbook_file(const PgPair& pair, const hsops::test::LocalHttpServer& hs1,
                                    const hsops::test::LocalHttpServer& hs2, bool cut_here = false) {
  auto yaml_list = [](const std::vector<std::string>& argv) {
    std::string out = "[";
    for (const auto& a : argv) out += (out.size() > 1 ? ", " : "") + std::string("'") + a + "'";
    return out + "]";
  };
  const auto secret = pair.dir.path() / "probe.password";
  std::ofstream(secret) << "unused: this playbook's switchover has no probe step\n";
  fs::permissions(secret, fs::perms::owner_read | fs::perms::owner_write);
  const auto file = pair.dir.path() / "playbook.yaml";
  std::ofstream out(file);
  out << "name: pair\nstate_dir: " << (pair.dir.path() / "failover").string() << "\n"
      << "database:\n  primary: db1\n  standby: db2\n  nodes:\n";
  for (const auto& [node, port] : {std::pair{std::string("db1"), pair.port1}, std::pair{std::string("db2"), pair.port2}}) {
    out << "    " << node << ":\n      conninfo: \"" << pair.conninfo(port) << "\"\n      data_dir: " << pair.data(node) << "\n"
        << "      stop: {command: " << yaml_list(pair.stop_argv(node)) << "}\n"
        << "      start: {command: " << yaml_list(pair.start_argv(node, port)) << "}\n";
  }
  out << "homeserver:\n  active: hs1\n  spare: hs2\n  nodes:\n"
      << "    hs1: {url: '" << hs1.url("") << "', stop: {command: [/bin/true]}, start: {command: [/bin/true]}}\n"
      << "    hs2: {url: '" << hs2.url("") << "', stop: {command: [/bin/true]}, start: {command: [/bin/true]}}\n"
      << "route:\n  exec:\n    to: {hs1: [/bin/true], hs2: [/bin/true]}\n"
      << "probe: {url: 'http://127.0.0.1:9', user: '@probe:test', password_file: " << secret.string() << "}\n"
      << "operations:\n  switchover:\n"
      << "    - {type: pg.check_replication}\n    - {type: confirm}\n    - {type: homeserver.stop}\n"
      << "    - {type: pg.checkpoint}\n    - {type: pg.fence}\n"
      << (cut_here ? "    - {type: wait, for: 10s, deadline: 30s}\n" : "") << "    - {type: pg.wait_replay}\n"
      << "    - {type: pg.promote, budget: 30s}\n    - {type: pg.verify_primary}\n    - {type: homeserver.start}\n"
      << "    - {type: route.switch}\n    - {type: exec, command: [/bin/true]}\n" << (cut_here ? "    - {type: pg.reattach}\n" : "");
  return file;
}

struct Cli {
  int exit_code = -1;
  std::string out;
};

Cli hsops_cli(const std::vector<std::string>& args) {
  hsops::exec::Command c(HSOPS_BINARY_DIR "/cmd/hsops/hsops", args);
  c.deadline = 120s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  return {r->exit_code, r->out + r->err};
}

}  // namespace

TEST_CASE("failover switchover from the CLI: refused by the lock and then done with a report", "[failover][integration]") {
  PgPair pair;
  hsops::test::LocalHttpServer hs1, hs2;
  for (auto* hs : {&hs1, &hs2}) hs->route("/_matrix/client/versions", {200, {}, "{\"versions\":[\"v1.11\"]}"});
  const auto playbook = playbook_file(pair, hs1, hs2);
  sql(pair.conninfo(pair.port1), "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
  sql(pair.conninfo(pair.port1), "INSERT INTO messages (body) SELECT 'before ' || g FROM generate_series(1, 50) g");
  {
    // Another run holds the lock: refused, nothing done.
    auto held = RunLock::take(pair.dir.path() / "failover" / "lock", "drill");
    REQUIRE(held.ok());
    const auto refused = hsops_cli({"failover", "switchover", playbook.string(), "--yes"});
    INFO(refused.out);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.find("another failover run holds") != std::string::npos);
    CHECK(refused.out.find("drill since") != std::string::npos);
    CHECK(sql(pair.conninfo(pair.port1), "SELECT pg_is_in_recovery()::text") == "false");
  }
  const auto run = hsops_cli({"failover", "switchover", playbook.string(), "--yes"});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("step 5/11 pg.fence db1: done in") != std::string::npos);
  CHECK(run.out.find(": OK in") != std::string::npos);
  CHECK(run.out.find("zero loss: db2 replayed") != std::string::npos);  // the readable summary
  CHECK(sql(pair.conninfo(pair.port2), "SELECT pg_is_in_recovery()::text") == "false");
  CHECK(sql(pair.conninfo(pair.port2), "SELECT count(*) FROM messages") == "50");
  // The report: every step with its time, what was left, no secret.
  const auto reports = pair.dir.path() / "failover" / "reports";
  const auto report = json_report(reports);
  CHECK(report["ok"] == true);
  CHECK(report["steps"].size() == 11);
  CHECK(report["steps"][6]["type"] == "pg.promote");
  CHECK(report["steps"][6]["seconds"].get<double>() > 0);
  CHECK(report["left_state"] == "every step done");
  // status now sees db2 as the primary and the finished run.
  const auto status = hsops_cli({"failover", "status", playbook.string()});
  INFO(status.out);
  CHECK(status.out.find("database db2: primary") != std::string::npos);
  CHECK(status.out.find("last run: switchover") != std::string::npos);
  CHECK(status.out.find("(finished)") != std::string::npos);
}

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

// A switchover from the CLI, killed with SIGKILL once its journal shows the wait after the
// fence started: the old primary is down, the standby not yet promoted.
void switchover_killed_after_the_fence(const PgPair& pair, const fs::path& playbook) {
  hsops::test::ChildProcess run({kHsops, "failover", "switchover", playbook.string(), "--yes"}, pair.dir.path() / "run.out");
  const auto journal = pair.dir.path() / "failover" / "journal.jsonl";
  const auto until = std::chrono::steady_clock::now() + 90s;
  bool waiting = false;
  while (!waiting && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
    const auto read = read_journal(journal);
    const auto last = read.ok() ? last_run(read->entries) : std::nullopt;
    waiting = last && last->in_flight && last->in_flight->type == "wait";
  }
  INFO(run.output());
  REQUIRE(waiting);
  run.signal(SIGKILL);
  REQUIRE(run.wait_exit(10s) == -1);
}

// Exactly one of the two takes writes, asked of both: recovery state and a real insert.
void only_writable(const std::string& primary, const std::string& standby) {
  CHECK(sql(primary, "SELECT pg_is_in_recovery()::text") == "false");
  sql(primary, "INSERT INTO messages (body) VALUES ('after the cut')");
  CHECK(sql(standby, "SELECT pg_is_in_recovery()::text") == "true");
  auto db = hsops::pg::Connection::open(standby);
  REQUIRE(db.ok());
  CHECK_FALSE(db.value().query("INSERT INTO messages (body) VALUES ('must fail')").ok());
}

struct CutPair {
  PgPair pair;
  hsops::test::LocalHttpServer hs1, hs2;
  fs::path playbook;
  std::string db1, db2;
  CutPair() {
    for (auto* hs : {&hs1, &hs2}) hs->route("/_matrix/client/versions", {200, {}, "{\"versions\":[\"v1.11\"]}"});
    playbook = playbook_file(pair, hs1, hs2, true);
    db1 = pair.conninfo(pair.port1);
    db2 = pair.conninfo(pair.port2);
    sql(db1, "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
    sql(db1, "INSERT INTO messages (body) SELECT 'before ' || g FROM generate_series(1, 50) g");
    switchover_killed_after_the_fence(pair, playbook);
  }
  nlohmann::json report() const {
    return json_report(pair.dir.path() / "failover" / "reports");
  }
};

}  // namespace

TEST_CASE("failover switchover killed after the fence: status names the step and --resume finishes it", "[failover][integration]") {
  CutPair cut;
  const auto status = hsops_cli({"failover", "status", cut.playbook.string()});
  INFO(status.out);
  CHECK(status.exit_code == 2);  // db1 is fenced and db2 not promoted yet: no primary
  CHECK(status.out.find("(INTERRUPTED)") != std::string::npos);
  CHECK(status.out.find("interrupted in step 6/13 wait (started, never ended)") != std::string::npos);
  CHECK(status.out.find("next: `hsops failover switchover --resume` finishes it, or `hsops failover switchover --rollback` "
                        "goes back to db1 as primary") != std::string::npos);
  // A different operation is refused.
  const auto other = hsops_cli({"failover", "drill", cut.playbook.string(), "--resume", "--yes"});
  CHECK(other.exit_code == 1);
  CHECK(other.out.find("is a switchover, not a drill") != std::string::npos);
  CHECK(hsops_cli({"failover", "switchover", cut.playbook.string(), "--resume", "--rollback"}).exit_code != 0);

  const auto resumed = hsops_cli({"failover", "switchover", cut.playbook.string(), "--resume", "--yes"});
  INFO(resumed.out);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.out.find("step 5/13 pg.fence db1: done in the earlier attempt") != std::string::npos);
  CHECK(resumed.out.find("step 7/13 pg.wait_replay db2: done in") != std::string::npos);
  CHECK(resumed.out.find("switchover resume ") != std::string::npos);
  CHECK(resumed.out.find(": OK in") != std::string::npos);
  only_writable(cut.db2, cut.db1);
  CHECK(sql(cut.db2, "SELECT count(*) FROM messages") == "51");
  const auto report = cut.report();
  CHECK(report["mode"] == "resume");
  CHECK(report["steps"][4]["detail"].get<std::string>().rfind("done in the earlier attempt: db1 shut down cleanly", 0) == 0);
  const auto again = hsops_cli({"failover", "switchover", cut.playbook.string(), "--resume", "--yes"});
  CHECK(again.exit_code == 1);
  CHECK(again.out.find("finished: nothing to resume or roll back") != std::string::npos);
}

TEST_CASE("failover switchover killed after the fence: --rollback brings the old primary back alone", "[failover][integration]") {
  CutPair cut;
  const auto rolled = hsops_cli({"failover", "switchover", cut.playbook.string(), "--rollback"});
  INFO(rolled.out);
  CHECK(rolled.exit_code == 0);
  CHECK(rolled.out.find("undo step 5/13 pg.fence db1: done: db1 started again") != std::string::npos);
  CHECK(rolled.out.find("switchover rollback ") != std::string::npos);
  CHECK(rolled.out.find(": OK in") != std::string::npos);
  CHECK(rolled.out.find("db1 is the only primary and takes writes, db2 is in recovery") != std::string::npos);
  only_writable(cut.db1, cut.db2);
  const auto report = cut.report();
  CHECK(report["mode"] == "rollback");
  CHECK(report["left_state"].get<std::string>().rfind("rolled back; undone: pg.fence db1, homeserver.stop hs1", 0) == 0);
}
