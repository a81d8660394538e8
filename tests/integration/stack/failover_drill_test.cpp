// `hsops failover drill` on the stack's real PostgreSQL pair, two real Synapses and haproxy,
// with the stack's generated playbook ($HSOPS_PLAYBOOK): there to the spare and back while a
// writer sends a message every 100 ms through haproxy. Every message that got a 200 must be
// there afterwards; messages from before the drill must be readable from the spare while it
// serves. Registered last among the stack tests (tests/CMakeLists.txt): it moves the primary,
// and a failure here should not take the other stack tests with it.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "exec/exec.h"
#include "matrix/client.h"
#include "pg/connection.h"
#include "support/child_process.h"
#include "support/haproxy_api.h"
#include "support/stack_env.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using hsops::test::stack_env;
using Steady = std::chrono::steady_clock;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";
const hsops::SystemClock kClock;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One Matrix call through haproxy, bounded by `limit`.
hsops::Result<nlohmann::json> matrix_call(const std::string& token, std::string_view method, const std::string& path,
                                          const nlohmann::json& body = nullptr, std::chrono::milliseconds limit = 3s) {
  hsops::matrix::ClientOptions o;
  o.base_url = stack_env().get("HSOPS_HAPROXY_URL");
  o.deadlines.connect = 1s;
  o.deadlines.total = limit;
  o.max_rate_limit_retries = 0;
  hsops::matrix::Client c(o, kClock, Steady::now() + limit);
  if (!token.empty()) c.set_access_token(token);
  return c.call(method, path, body);
}

// The probe user (its message rate limit is lifted by the stack), on a device of its own.
// Retried for a while: after its database restarted, each of Synapse's pooled connections
// fails one request (twisted adbapi ConnectionLost, a 500) before it reconnects.
std::string login() {
  const auto& env = stack_env();
  const auto until = Steady::now() + 30s;
  for (;;) {
    auto r = matrix_call("", "POST", "/_matrix/client/v3/login",
                         {{"type", "m.login.password"},
                          {"identifier", {{"type", "m.id.user"}, {"user", env.get("HSOPS_PROBE_USER")}}},
                          {"password", env.secret("HSOPS_PROBE_PASSWORD_FILE")},
                          {"device_id", "HSOPS_DRILL_TEST"}},
                         10s);
    if (r.ok()) return r->at("access_token").get<std::string>();
    INFO("login through haproxy: " << r.error().message);
    REQUIRE(Steady::now() < until);
    std::this_thread::sleep_for(500ms);
  }
}

struct Sent {
  std::string event_id;
  std::string body;
};

std::optional<Sent> send(const std::string& token, const std::string& room, const std::string& body,
                         std::chrono::milliseconds limit = 2s) {
  const std::string txn = "drill-" + std::to_string(Steady::now().time_since_epoch().count());
  auto r = matrix_call(token, "PUT",
                       "/_matrix/client/v3/rooms/" + hsops::matrix::url_encode(room) + "/send/m.room.message/" + txn,
                       {{"msgtype", "m.text"}, {"body", body}}, limit);
  if (!r || !r->contains("event_id")) return std::nullopt;
  return Sent{r->at("event_id").get<std::string>(), body};
}

// The event's body as the server that haproxy routes to has it; "" when it cannot say.
std::string body_of(const std::string& token, const std::string& room, const std::string& event_id) {
  auto r = matrix_call(token, "GET",
                       "/_matrix/client/v3/rooms/" + hsops::matrix::url_encode(room) + "/event/" +
                           hsops::matrix::url_encode(event_id));
  if (!r) return "";
  return r->value("content", nlohmann::json::object()).value("body", "");
}

bool spare_serves() {
  const auto& env = stack_env();
  auto servers = hsops::test::haproxy_servers(env.get("HSOPS_HAPROXY_SOCKET"), env.get("HSOPS_HAPROXY_BACKEND"));
  return servers.count("spare") && servers.count("master") && servers["spare"].status.rfind("UP", 0) == 0 &&
         servers["master"].status == "MAINT";
}

std::string query_one(const std::string& conninfo, const std::string& sql) {
  auto db = hsops::pg::Connection::open(conninfo);
  if (!db) return "unreachable: " + db.error().message;
  auto rows = db.value().query(sql);
  if (!rows || rows->empty()) return "?";
  return rows->rows[0][0].value_or("");
}


bool sql_ok(const std::string& conninfo, const std::string& sql) {
  auto db = hsops::pg::Connection::open(conninfo);
  return db && db.value().query(sql).ok();
}

// Every message sent before the drill, readable through haproxy.
bool all_readable(const std::string& token, const std::string& room, const std::vector<Sent>& messages) {
  for (const auto& m : messages) {
    if (body_of(token, room, m.event_id) != m.body) return false;
  }
  return true;
}

// The stack as the drill must leave it: 'primary' writable, 'standby' streaming from it, the
// main Synapse behind haproxy and the spare stopped.
void require_normal_topology() {
  const auto& env = stack_env();
  // The standby must keep following once the primary moves on and removes old WAL: its slot
  // has to hold what it needs (a slot that reserved nothing broke the second drill in a row).
  for (const char* sql : {"CHECKPOINT", "SELECT pg_switch_wal()", "SELECT pg_switch_wal()", "CHECKPOINT"}) {
    CHECK(sql_ok(env.get("HSOPS_PG_PRIMARY"), sql));
  }
  const std::string target = query_one(env.get("HSOPS_PG_PRIMARY"), "SELECT pg_current_wal_lsn()::text");
  const std::string caught_up = "SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn";
  const auto until = Steady::now() + 20s;
  while (query_one(env.get("HSOPS_PG_STANDBY"), caught_up) != "t" && Steady::now() < until) std::this_thread::sleep_for(200ms);
  CHECK(query_one(env.get("HSOPS_PG_STANDBY"), caught_up) == "t");
  CHECK(query_one(env.get("HSOPS_PG_PRIMARY"), "SELECT pg_is_in_recovery()::text") == "false");
  CHECK(query_one(env.get("HSOPS_PG_STANDBY"), "SELECT pg_is_in_recovery()::text") == "true");
  CHECK(query_one(env.get("HSOPS_PG_PRIMARY"), "SELECT string_agg(state, ',') FROM pg_stat_replication") == "streaming");
  auto servers = hsops::test::haproxy_servers(env.get("HSOPS_HAPROXY_SOCKET"), env.get("HSOPS_HAPROXY_BACKEND"));
  CHECK(servers["master"].status.rfind("UP", 0) == 0);
  CHECK(servers["spare"].status == "MAINT");
}

// `tests/harness/stack pg start|stop NODE`, as the playbook does it.
void stack_pg(const std::string& action, const std::string& node) {
  hsops::exec::Command c(HSOPS_SOURCE_DIR "/tests/harness/stack", {"pg", action, node});
  c.deadline = 90s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  INFO(r->out << r->err);
  REQUIRE(r->exit_code == 0);
}

struct CliRun {
  int exit_code = -1;
  std::string output;
};

CliRun hsops_failover(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"failover"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(stack_env().get("HSOPS_PLAYBOOK"));
  hsops::exec::Command c(kHsops, argv);
  c.deadline = 60s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->timed_out);
  return {r->exit_code, r->out + r->err};
}

void wait_streaming() {
  const auto until = Steady::now() + 60s;
  while (query_one(stack_env().get("HSOPS_PG_PRIMARY"),
                   "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") != "1" &&
         Steady::now() < until) {
    std::this_thread::sleep_for(200ms);
  }
}

}  // namespace

TEST_CASE("failover switchover on the stack: refused with the standby stopped and nothing changes", "[failover][stack]") {
  stack_pg("stop", "standby");
  const auto refused = hsops_failover({"switchover", "--yes"});
  stack_pg("start", "standby");
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.output, "standby standby is not connected to primary"));
  CHECK(contains(refused.output, "nothing was changed"));
  wait_streaming();  // streaming again before anything else runs on the stack
  require_normal_topology();
}

TEST_CASE("failover promote on the stack: the primary gone with the standby behind is refused without --force",
          "[failover][stack]") {
  const auto& env = stack_env();
  // The standby misses about 4 MiB of WAL (its slot keeps it on the primary for later).
  stack_pg("stop", "standby");
  REQUIRE(sql_ok(env.get("HSOPS_PG_PRIMARY"),
                 "CREATE TABLE hsops_lag_test AS SELECT repeat('x', 1000) AS filler FROM generate_series(1, 4000)"));
  // Any failover command records the primary's position; then the primary is gone.
  const auto seen = hsops_failover({"status"});
  INFO(seen.output);
  stack_pg("stop", "primary");
  stack_pg("start", "standby");
  const auto refused = hsops_failover({"promote", "--yes"});
  stack_pg("start", "primary");
  wait_streaming();
  CHECK(sql_ok(env.get("HSOPS_PG_PRIMARY"), "DROP TABLE hsops_lag_test"));
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.output, "the primary primary was last seen at"));
  CHECK(contains(refused.output, "above maximum_lag_on_failover (1.0 MiB); --force to accept it"));
  CHECK(contains(refused.output, "nothing was changed"));
  require_normal_topology();
  login();  // Synapse serves again (its pool reconnected to the restarted primary)
}

TEST_CASE("failover drill on the stack: there and back through haproxy with no acknowledged message lost",
          "[failover][stack]") {
  const auto& env = stack_env();
  const std::string token = login();
  auto room = matrix_call(token, "POST", "/_matrix/client/v3/createRoom", {{"preset", "private_chat"}}, 10s);
  REQUIRE(room.ok());
  const std::string room_id = room->at("room_id").get<std::string>();

  std::vector<Sent> before;
  for (int i = 0; i < 5; ++i) {
    auto m = send(token, room_id, "before the drill #" + std::to_string(i), 10s);
    REQUIRE(m.has_value());
    before.push_back(*m);
  }

  // The writer: a message every 100 ms; a 200 is a promise the message is kept.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Sent> acked;
  int refused = 0;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      const auto next = Steady::now() + 100ms;
      auto m = send(token, room_id, "during the drill #" + std::to_string(i));
      {
        std::lock_guard<std::mutex> lock(mu);
        if (m) acked.push_back(*m);
        else ++refused;
      }
      std::this_thread::sleep_until(next);
    }
  });
  // The reader: while haproxy routes to the spare, everything from before the drill is there.
  std::atomic<bool> read_on_spare{false};
  std::thread reader([&] {
    while (!stop && !read_on_spare) {
      if (spare_serves() && all_readable(token, room_id, before) && spare_serves()) read_on_spare = true;
      std::this_thread::sleep_for(200ms);
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& a;
    std::thread& b;
    ~Join() {
      stop = true;
      a.join();
      b.join();
    }
  } join{stop, writer, reader};

  hsops::test::TempDir dir;
  std::this_thread::sleep_for(1s);  // some acknowledged writes before anything stops
  hsops::test::ChildProcess drill({kHsops, "failover", "drill", "--yes", env.get("HSOPS_PLAYBOOK")}, dir.path() / "drill.out");

  // A second drill while this one runs: refused by the lock, naming the holder.
  const auto journal = std::filesystem::path(env.get("HSOPS_STACK_DIR")) / "failover" / "journal.jsonl";
  std::this_thread::sleep_for(1500ms);
  {
    hsops::exec::Command second(kHsops, {"failover", "drill", "--yes", env.get("HSOPS_PLAYBOOK")});
    second.deadline = 30s;
    auto r = hsops::exec::run(second);
    REQUIRE(r.ok());
    INFO(r->out << r->err);
    CHECK(r->exit_code == 1);
    CHECK(contains(r->out + r->err, std::to_string(drill.pid())));
  }

  const auto code = drill.wait_exit(300s);
  std::this_thread::sleep_for(1s);  // acknowledged writes after the way back
  stop = true;
  const std::string output = drill.output();
  INFO(output);
  REQUIRE(code.has_value());
  CHECK(*code == 0);

  // Zero acknowledged loss: every message that got a 200 is there (served by master again).
  std::vector<Sent> all;
  int ok_during = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    all = acked;
    ok_during = static_cast<int>(acked.size());
  }
  std::vector<std::string> lost;
  for (const auto& m : all) {
    if (body_of(token, room_id, m.event_id) != m.body) lost.push_back(m.body + " (" + m.event_id + ")");
  }
  std::cout << "drill writer: " << ok_during << " messages acknowledged, " << refused
            << " refused or unanswered during the switch, " << lost.size() << " acknowledged ones missing\n";
  CHECK(lost.empty());
  CHECK(ok_during > 20);
  CHECK(read_on_spare);
  CHECK(all_readable(token, room_id, before));

  // The report: ok, an RTO there and back, every step's time.
  std::ifstream in(std::filesystem::path(env.get("HSOPS_STACK_DIR")) / "failover" / "last-drill.json");
  REQUIRE(in.good());
  const auto report = nlohmann::json::parse(in);
  CHECK(report.at("ok") == true);
  REQUIRE(report.at("rto_seconds").is_number());
  REQUIRE(report.at("rto_back_seconds").is_number());
  std::cout << "drill RTO there " << report.at("rto_seconds").get<double>() << " s, back "
            << report.at("rto_back_seconds").get<double>() << " s, in all " << report.at("seconds").get<double>()
            << " s\n";
  CHECK(report.at("rto_seconds").get<double>() > 0);
  for (const auto& s : report.at("steps")) {
    CHECK(s.at("state") == "done");
    CHECK(s.at("seconds").is_number());
    std::cout << "  " << s.at("step") << " " << s.at("type").get<std::string>() << " " << s.at("node").get<std::string>()
              << ": " << s.at("seconds").get<double>() << " s\n";
  }
  CHECK(std::filesystem::exists(journal));
  require_normal_topology();
  // status names the last drill with its result and RTO.
  const auto status = hsops_failover({"status"});
  INFO(status.output);
  CHECK(status.exit_code == 0);
  CHECK(contains(status.output, "last drill: OK at "));
  CHECK(contains(status.output, report.at("run_id").get<std::string>() + "), RTO "));
}
