// pg.reattach with pg_rewind, on real PostgreSQL 15: an old primary that wrote WAL the promoted
// standby never got (an unplanned promote) is rewound and follows; after a clean switchover
// pg_rewind finds nothing to do. The source is reached as a non-superuser with exactly the
// privileges docs/failover.md lists, over scram-sha-256, so PGPASSWORD must reach pg_rewind.
// Servers run as the `postgres` OS user; everything is stopped and removed at the end.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "exec/exec.h"
#include "failover/actions.h"
#include "pg/connection.h"
#include "support/child_process.h"
#include "support/postgres_commands.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace hsops::failover;

namespace {

const std::string& kBin = hsops::test::kPgBin;
using hsops::test::as_postgres;
using hsops::test::run_ok;
const std::string kPassword = "rewind-Secret-7";

std::string sql(const std::string& conninfo, const std::string& statement) {
  auto db = hsops::pg::Connection::open(conninfo + " connect_timeout=10 options='-c statement_timeout=60000'");
  REQUIRE(db.ok());
  auto rows = db.value().query(statement);
  INFO(statement);
  REQUIRE(rows.ok());
  return rows->empty() ? "" : rows->rows[0][0].value_or("");
}

// Polls `statement` until it returns `want` or 30 s pass; returns the last answer.
std::string wait_for(const std::string& conninfo, const std::string& statement, const std::string& want) {
  std::string got;
  for (auto until = std::chrono::steady_clock::now() + 30s; std::chrono::steady_clock::now() < until;) {
    auto db = hsops::pg::Connection::open(conninfo + " connect_timeout=5");
    if (db.ok()) {
      auto rows = db.value().query(statement);
      if (rows.ok() && !rows->empty()) got = rows->rows[0][0].value_or("");
      if (got == want) break;
    }
    std::this_thread::sleep_for(100ms);
  }
  return got;
}

// db1 primary, db2 its streaming standby (slot hsops_db2). start() is separate from the
// constructor so the destructor stops whatever a failed start left running.
struct Pair {
  hsops::test::TempDir dir;
  fs::path sock = dir.path() / "sock";
  int port1 = hsops::test::free_loopback_port();
  int port2 = hsops::test::free_loopback_port();
  // pg_rewind of a diverged node reads its WAL back to the last common checkpoint; a clean
  // switchover needs none kept, which is how the slot's own reservation is tested.
  std::string wal_keep_size = "64MB";

  void start() {
    fs::create_directories(sock);
    passwd* pg = ::getpwnam("postgres");
    REQUIRE(pg != nullptr);
    fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    REQUIRE(::chown(dir.path().c_str(), pg->pw_uid, pg->pw_gid) == 0);
    REQUIRE(::chown(sock.c_str(), pg->pw_uid, pg->pw_gid) == 0);
    run_ok(as_postgres({kBin + "initdb", "-D", data("db1"), "-U", "postgres", "--auth=trust", "--data-checksums", "-N"}));
    std::ofstream(data("db1") + "/postgresql.conf", std::ios::app)
        << "listen_addresses = ''\nunix_socket_directories = '" << sock.string() << "'\nfsync = off\nhot_standby = on\n"
        << "wal_keep_size = '" << wal_keep_size << "'\n";
    // hsops' role must give its password; the test's own superuser connections stay trusted.
    std::ofstream(data("db1") + "/pg_hba.conf", std::ios::trunc)
        << "local all rewinder scram-sha-256\nlocal replication rewinder scram-sha-256\n"
        << "local all all trust\nlocal replication all trust\n";
    run_ok(start_argv("db1", port1));
    // What docs/failover.md asks of the role hsops connects as, and no more.
    sql(superuser(port1), "CREATE ROLE rewinder LOGIN REPLICATION PASSWORD '" + kPassword + "'");
    for (const auto* grant : {"GRANT pg_checkpoint, pg_monitor TO rewinder", "GRANT EXECUTE ON FUNCTION pg_ls_dir(text, boolean, boolean) TO rewinder",
                              "GRANT EXECUTE ON FUNCTION pg_stat_file(text, boolean) TO rewinder",
                              "GRANT EXECUTE ON FUNCTION pg_read_binary_file(text) TO rewinder",
                              "GRANT EXECUTE ON FUNCTION pg_read_binary_file(text, bigint, bigint, boolean) TO rewinder",
                              "GRANT EXECUTE ON FUNCTION pg_promote(boolean, integer) TO rewinder"}) {
      sql(superuser(port1), grant);
    }
    run_ok(as_postgres({kBin + "pg_basebackup", "-h", sock.string(), "-p", std::to_string(port1), "-U", "postgres", "-D",
                        data("db2"), "-R", "-X", "stream", "-C", "-S", "hsops_db2", "-c", "fast", "--no-sync"}));
    run_ok(start_argv("db2", port2));
  }
  ~Pair() {
    for (const char* node : {"db1", "db2"}) {
      if (!fs::exists(data(node) + "/postmaster.pid")) continue;
      hsops::exec::Command c("runuser", {"-u", "postgres", "--", kBin + "pg_ctl", "-D", data(node), "-m", "immediate", "-w", "stop"});
      c.deadline = 30s;
      (void)hsops::exec::run(c);
    }
  }
  std::string data(const std::string& node) const { return (dir.path() / node).string(); }
  int port(const std::string& node) const { return node == "db1" ? port1 : port2; }
  std::vector<std::string> start_argv(const std::string& node, int p) const {
    return as_postgres({kBin + "pg_ctl", "-D", data(node), "-l", data(node) + ".log", "-o", "-p " + std::to_string(p), "-w",
                        "-t", "60", "start"});
  }
  void stop(const std::string& node) const {
    run_ok(as_postgres({kBin + "pg_ctl", "-D", data(node), "-m", "fast", "-w", "-t", "60", "stop"}));
  }
  std::string superuser(int p) const {
    return "host=" + sock.string() + " port=" + std::to_string(p) + " user=postgres dbname=postgres";
  }

  Playbook playbook() const {
    Playbook p;
    p.name = "rewind";
    for (const std::string node : {"db1", "db2"}) {
      DatabaseNode n;
      n.name = node;
      n.target.conninfo = "host=" + sock.string() + " port=" + std::to_string(port(node)) + " user=rewinder dbname=postgres";
      n.target.password = kPassword;
      n.data_dir = data(node);
      n.stop = Control{"", as_postgres({kBin + "pg_ctl", "-D", data(node), "-m", "fast", "-w", "-t", "60", "stop"}), 60s};
      n.start = Control{"", start_argv(node, port(node)), 60s};
      p.databases[node] = n;
    }
    p.primary = "db1";
    p.standby = "db2";
    return p;
  }
};

// One step, as the engine would build it: `type` on its default role.
hsops::Result<ActionResult> step(const std::string& type, const Playbook& p, const Roles& roles, RunState& state) {
  StepSpec s;
  s.type = type;
  s.node_role = std::string(find_step_type(type)->default_role);
  s.deadline = 90s;
  auto action = make_action(s, roles, p, state);
  REQUIRE(action);
  return action->run(std::chrono::steady_clock::now() + s.deadline);
}

// db1 follows db2 and streams, as db2 sees it.
void require_following(const Pair& pair) {
  CHECK(sql(pair.superuser(pair.port1), "SELECT pg_is_in_recovery()::text") == "true");
  CHECK(wait_for(pair.superuser(pair.port2), "SELECT state FROM pg_stat_replication WHERE application_name = 'db1'",
                 "streaming") == "streaming");
}

}  // namespace

TEST_CASE("failover pg.reattach: a diverged old primary is rewound and follows the promoted standby", "[failover][integration]") {
  Pair pair;
  pair.start();
  const std::string db1 = pair.superuser(pair.port1), db2 = pair.superuser(pair.port2);
  sql(db1, "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
  sql(db1, "INSERT INTO messages (body) SELECT 'before ' || g FROM generate_series(1, 100) g");
  REQUIRE(wait_for(db2, "SELECT count(*) FROM messages", "100") == "100");

  // The standby stops receiving, the primary writes on (WAL db2 never gets), then goes down
  // and db2 is promoted: an unplanned promote.
  pair.stop("db2");
  sql(db1, "INSERT INTO messages (body) SELECT 'diverged ' || g FROM generate_series(1, 1000) g");
  pair.stop("db1");
  run_ok(pair.start_argv("db2", pair.port2));
  REQUIRE(sql(db2, "SELECT pg_promote(true, 60)::text") == "true");
  sql(db2, "INSERT INTO messages (body) SELECT 'on db2 ' || g FROM generate_series(1, 10) g");

  RunState state;
  const auto started = std::chrono::steady_clock::now();
  auto done = step("pg.reattach", pair.playbook(), Roles{"db1", "db2", "", ""}, state);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO((done ? done->detail : done.error().message));
  REQUIRE(done.ok());
  WARN("reattach with rewind: " << seconds << " s; " << done->detail);
  CHECK(done->detail.find("rewound from db2 (pg_rewind: ") != std::string::npos);
  CHECK(done->detail.find("streaming") != std::string::npos);
  CHECK(done->detail.find(kPassword) == std::string::npos);
  require_following(pair);
  CHECK(wait_for(db1, "SELECT count(*) FROM messages WHERE body LIKE 'on db2 %'", "10") == "10");
  CHECK(sql(db1, "SELECT count(*) FROM messages WHERE body LIKE 'diverged %'") == "0");
  CHECK(sql(db1, "SELECT count(*) FROM messages") == "110");
}

TEST_CASE("failover pg.reattach: after a clean switchover pg_rewind finds nothing to rewind", "[failover][integration]") {
  Pair pair;
  pair.start();
  const std::string db1 = pair.superuser(pair.port1), db2 = pair.superuser(pair.port2);
  sql(db1, "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
  sql(db1, "INSERT INTO messages (body) SELECT 'before ' || g FROM generate_series(1, 100) g");

  const auto p = pair.playbook();
  const Roles roles{"db1", "db2", "", ""};
  RunState state;
  for (const auto* type : {"pg.fence", "pg.wait_replay", "pg.promote"}) {
    auto done = step(type, p, roles, state);
    INFO(type << ": " << (done ? done->detail : done.error().message));
    REQUIRE(done.ok());
  }
  sql(db2, "INSERT INTO messages (body) VALUES ('on db2')");
  auto done = step("pg.reattach", p, roles, state);
  INFO((done ? done->detail : done.error().message));
  REQUIRE(done.ok());
  WARN("reattach after a clean switchover: " << done->detail);
  CHECK(done->detail.find("no rewind needed") != std::string::npos);
  require_following(pair);
  CHECK(wait_for(db1, "SELECT count(*) FROM messages", "101") == "101");
}

TEST_CASE("failover pg.reattach: the new slot holds the WAL the old primary needs while the new one moves on", "[failover][integration]") {
  Pair pair;
  pair.wal_keep_size = "0";  // only slots keep WAL, as on the test stack
  pair.start();
  const std::string db1 = pair.superuser(pair.port1), db2 = pair.superuser(pair.port2);
  sql(db1, "CREATE TABLE messages (id serial PRIMARY KEY, body text)");
  const auto p = pair.playbook();
  const Roles roles{"db1", "db2", "", ""};
  RunState state;
  for (const auto* type : {"pg.fence", "pg.wait_replay", "pg.promote"}) {
    auto done = step(type, p, roles, state);
    INFO(type << ": " << (done ? done->detail : done.error().message));
    REQUIRE(done.ok());
  }
  // The new primary writes on into later WAL segments before db1 is re-attached: the CHECKPOINT
  // in pg.reattach would remove the segment db1 must start from unless its slot reserved it.
  for (int i = 0; i < 3; ++i) {
    sql(db2, "INSERT INTO messages (body) SELECT 'on db2 ' || g FROM generate_series(1, 100) g");
    sql(db2, "SELECT pg_switch_wal()::text");
  }
  auto done = step("pg.reattach", p, roles, state);
  INFO((done ? done->detail : done.error().message));
  REQUIRE(done.ok());
  require_following(pair);
  // And it keeps following after the new primary checkpoints again and switches segments.
  sql(db2, "CHECKPOINT");
  sql(db2, "SELECT pg_switch_wal()::text");
  sql(db2, "INSERT INTO messages (body) VALUES ('after')");
  CHECK(wait_for(db1, "SELECT count(*) FROM messages", "301") == "301");
}
