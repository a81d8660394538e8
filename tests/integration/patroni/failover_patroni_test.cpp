// `hsops failover switchover` with `database.backend: patroni` against the real Patroni profile
// (tests/harness/patroni): Patroni moves the leader there and back, haproxy follows, and a
// paused cluster is refused. The homeservers are local HTTP fixtures answering
// /_matrix/client/versions with /bin/true as stop/start and an exec route: the profile has no
// Synapse, so the playbook lists its own steps without probe or markers. A thread samples
// pg_is_in_recovery() on both nodes every 100 ms throughout: never two writable primaries.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "exec/exec.h"
#include "net/http.h"
#include "pg/connection.h"
#include "support/local_http_server.h"
#include "support/patroni_env.h"
#include "support/split_brain_watch.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using hsops::test::in_recovery;
using hsops::test::patroni_env;
using Clock = std::chrono::steady_clock;
namespace pg = hsops::pg;

namespace {

pg::Options quick() {
  pg::Options o;
  o.connect_timeout = 2000ms;
  o.statement_timeout = 3000ms;
  o.application_name = "hsops-failover-patroni-test";
  return o;
}

std::string conninfo(const std::string& node) { return patroni_env().get(node == "pg1" ? "HSOPS_PATRONI_PG1" : "HSOPS_PATRONI_PG2"); }
std::string pg_port(const std::string& node) {
  return patroni_env().get(node == "pg1" ? "HSOPS_PATRONI_PG1_PORT" : "HSOPS_PATRONI_PG2_PORT");
}

struct ClusterView {
  std::string leader;            // the running leader ("" when none)
  bool replica_ready = false;    // the other member running with a known lag
  bool paused = false;
};

ClusterView cluster() {
  ClusterView v;
  for (const char* key : {"HSOPS_PATRONI_PG1_URL", "HSOPS_PATRONI_PG2_URL"}) {
    auto r = hsops::net::get(patroni_env().get(key) + "/cluster", {1000ms, 3000ms});
    if (!r.ok() || r->status != 200) continue;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) continue;
    v.paused = j.value("pause", false);
    for (const auto& m : j.value("members", nlohmann::json::array())) {
      if (m.value("role", "") == "leader" && m.value("state", "") == "running") v.leader = m.value("name", "");
      if (m.value("role", "") == "replica" && m.value("state", "") == "running" && m.contains("lag") && m["lag"].is_number()) {
        v.replica_ready = true;
      }
    }
    return v;
  }
  return v;
}

template <typename Pred>
bool wait_until(std::chrono::milliseconds limit, Pred pred) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(250ms);
  }
  return pred();
}

std::filesystem::path write_playbook(const std::filesystem::path& dir, const hsops::test::LocalHttpServer& hs1,
                                     const hsops::test::LocalHttpServer& hs2) {
  const auto& env = patroni_env();
  const auto file = dir / "patroni.yaml";
  std::ofstream out(file);
  out << "name: patroni-test\nstate_dir: " << (dir / "state").string() << "\n"
      << "database:\n  backend: patroni\n  patroni:\n    urls: [" << env.get("HSOPS_PATRONI_PG1_URL") << ", "
      << env.get("HSOPS_PATRONI_PG2_URL") << "]\n"
      << "  primary: pg1\n  standby: pg2\n  nodes:\n"
      << "    pg1: {conninfo: \"" << conninfo("pg1") << "\"}\n"
      << "    pg2: {conninfo: \"" << conninfo("pg2") << "\"}\n"
      << "homeserver:\n  active: hs1\n  spare: hs2\n  nodes:\n"
      << "    hs1: {url: \"" << hs1.url("") << "\", stop: {command: [/bin/true]}, start: {command: [/bin/true]}}\n"
      << "    hs2: {url: \"" << hs2.url("") << "\", stop: {command: [/bin/true]}, start: {command: [/bin/true]}}\n"
      << "route:\n  exec: {to: {hs1: [/bin/true], hs2: [/bin/true]}}\n"
      // Required by the playbook; never used: no probe step below.
      << "probe: {url: \"" << hs1.url("") << "\", user: \"@probe:test\", password_env: HSOPS_TEST_UNUSED_PROBE_PASSWORD}\n"
      << "operations:\n  switchover:\n"
      << "    - {type: patroni.check}\n    - {type: homeserver.stop}\n    - {type: patroni.switchover}\n"
      << "    - {type: pg.verify_primary}\n    - {type: homeserver.start}\n    - {type: route.switch}\n";
  return file;
}

struct Cli {
  int exit_code = -1;
  std::string out;
};

Cli hsops_cli(const std::vector<std::string>& args) {
  hsops::exec::Command c(HSOPS_BINARY_DIR "/cmd/hsops/hsops", args);
  c.deadline = 180s;
  c.env_overrides = {{"HSOPS_TEST_UNUSED_PROBE_PASSWORD", "unused"}};
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  return {r->exit_code, r->out + r->err};
}

// A write through the profile's haproxy (always the leader): the port it landed on.
std::string write_through_haproxy() {
  auto c = pg::Connection::open(patroni_env().get("HSOPS_PATRONI_PG_HAPROXY"), quick());
  if (!c.ok()) return "";
  if (!c.value().query("CREATE TABLE IF NOT EXISTS hsops_failover_patroni (at timestamptz DEFAULT now())").ok()) return "";
  if (!c.value().query("INSERT INTO hsops_failover_patroni DEFAULT VALUES").ok()) return "";
  auto r = c.value().query("SELECT inet_server_port()::text");
  return r.ok() && r->size() == 1 ? r->rows[0][0].value_or("") : "";
}

bool patch_pause(bool pause) {
  hsops::net::Request r;
  r.method = "PATCH";
  r.url = patroni_env().get("HSOPS_PATRONI_PG1_URL") + "/config";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = nlohmann::json{{"pause", pause}}.dump();
  auto got = hsops::net::perform(r);
  return got.ok() && got->status == 200;
}

// One switchover through the CLI: the leader moves from `from` to the other member.
void switch_over(const std::filesystem::path& playbook, const std::string& from) {
  const std::string to = from == "pg1" ? "pg2" : "pg1";
  const auto run = hsops_cli({"failover", "switchover", playbook.string(), "--yes"});
  INFO(run.out);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("Successfully switched over to \"" + to + "\""));
  CHECK(cluster().leader == to);
  // haproxy follows the leader within its health-check interval (inter 1s fall 2).
  std::string landed;
  CHECK(wait_until(15s, [&] { return (landed = write_through_haproxy()) == pg_port(to); }));
  CHECK(landed == pg_port(to));
  CHECK(in_recovery(conninfo(from)) == "t");
  CHECK(in_recovery(conninfo(to)) == "f");
}

}  // namespace

TEST_CASE("failover patroni backend: switchover there and back through Patroni with never two primaries",
          "[failover][patroni]") {
  REQUIRE(wait_until(60s, [] {
    const auto c = cluster();
    return !c.leader.empty() && c.replica_ready && !c.paused;
  }));
  hsops::test::TempDir dir;
  hsops::test::LocalHttpServer hs1, hs2;
  for (auto* hs : {&hs1, &hs2}) hs->route("/_matrix/client/versions", {200, {}, "{\"versions\":[\"v1.11\"]}"});
  const auto playbook = write_playbook(dir.path(), hs1, hs2);

  const auto plan = hsops_cli({"failover", "plan", playbook.string(), "--operation", "promote"});
  CHECK(plan.exit_code == 1);
  CHECK_THAT(plan.out, Catch::Contains("with Patroni, failover is automatic"));
  CHECK_THAT(plan.out, Catch::Contains("patroni member pg1:") && Catch::Contains("patroni member pg2:"));

  const std::string first = cluster().leader;
  hsops::test::SplitBrainWatch watch(conninfo("pg1"), conninfo("pg2"));
  switch_over(playbook, first);
  // The way back needs the old leader streaming again: patroni.check waits for that.
  switch_over(playbook, first == "pg1" ? "pg2" : "pg1");
  watch.stop();
  CHECK(watch.samples() > 50);
  CHECK(watch.both_writable() == 0);
  CHECK(watch.one_writable() > 0);
  CHECK(cluster().leader == first);

  const auto status = hsops_cli({"failover", "status", playbook.string()});
  CHECK_THAT(status.out, Catch::Contains("leader " + first));
}

TEST_CASE("failover patroni backend: a paused cluster is refused naming maintenance mode", "[failover][patroni]") {
  REQUIRE(wait_until(60s, [] {
    const auto c = cluster();
    return !c.leader.empty() && c.replica_ready;
  }));
  hsops::test::TempDir dir;
  hsops::test::LocalHttpServer hs1, hs2;
  for (auto* hs : {&hs1, &hs2}) hs->route("/_matrix/client/versions", {200, {}, "{\"versions\":[\"v1.11\"]}"});
  const auto playbook = write_playbook(dir.path(), hs1, hs2);
  const std::string leader = cluster().leader;

  REQUIRE(patch_pause(true));
  REQUIRE(wait_until(15s, [] { return cluster().paused; }));
  const auto refused = hsops_cli({"failover", "switchover", playbook.string(), "--yes"});
  const bool resumed = patch_pause(false);
  INFO(refused.out);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.out, Catch::Contains("maintenance mode"));
  CHECK(cluster().leader == leader);  // nothing moved
  REQUIRE(resumed);
  CHECK(wait_until(15s, [] { return !cluster().paused; }));
}
