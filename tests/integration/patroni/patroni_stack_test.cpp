// The test stack's Patroni profile (tests/harness/patroni, docs/testing.md "Patroni profile"):
// one etcd member, Patroni pg1 + pg2 on PostgreSQL 15, haproxy following the leader. The
// hsops_patroni fixture (patroni-up / patroni-down) brings it up and tears it down; these tests
// read its env file ($HSOPS_PATRONI_ENV, else $HSOPS_PATRONI_DIR/env, else
// /tmp/hsops-patroni/env). The failover test kills the leader's Patroni and PostgreSQL with
// SIGKILL and restarts that node with the harness, so the profile is healthy again afterwards
// (with the other node leading).
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "exec/exec.h"
#include "net/http.h"
#include "pg/connection.h"
#include "support/patroni_env.h"

using namespace std::chrono_literals;
using hsops::test::patroni_env;
using hsops::test::StackEnv;
using Clock = std::chrono::steady_clock;
namespace pg = hsops::pg;

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Member {
  std::string name, role, state;
  long timeline = 0;
  bool lag_known = false;
};

struct ClusterView {
  bool answered = false;
  std::vector<Member> members;
  std::string raw;
  const Member* with_role(const std::string& role) const {
    const Member* found = nullptr;
    int n = 0;
    for (const auto& m : members) {
      if (m.role == role && m.state == "running") {
        found = &m;
        ++n;
      }
    }
    return n == 1 ? found : nullptr;
  }
  // One running leader and one running replica with a known lag.
  bool healthy() const {
    const Member* r = with_role("replica");
    return with_role("leader") != nullptr && r != nullptr && r->lag_known && members.size() == 2;
  }
};

// GET /cluster from the first REST API that answers (3 s each).
ClusterView get_cluster(const std::vector<std::string>& urls) {
  ClusterView v;
  for (const auto& url : urls) {
    auto r = hsops::net::get(url + "/cluster", {std::chrono::milliseconds(1000), std::chrono::milliseconds(3000)});
    if (!r.ok() || r->status != 200) continue;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) continue;
    v.answered = true;
    v.raw = r->body;
    for (const auto& m : j.value("members", nlohmann::json::array())) {
      Member mm;
      mm.name = m.value("name", "");
      mm.role = m.value("role", "");
      mm.state = m.value("state", "");
      mm.timeline = m.value("timeline", 0L);
      mm.lag_known = m.contains("lag") && m["lag"].is_number_integer();
      v.members.push_back(mm);
    }
    return v;
  }
  return v;
}

std::vector<std::string> rest_urls() {
  const auto& env = patroni_env();
  return {env.get("HSOPS_PATRONI_PG1_URL"), env.get("HSOPS_PATRONI_PG2_URL")};
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

pg::Options quick() {
  pg::Options o;
  o.connect_timeout = 3000ms;
  o.statement_timeout = 5000ms;
  o.application_name = "hsops-patroni-test";
  return o;
}

// The node's own conninfo (superuser over its unix socket).
std::string node_conninfo(const std::string& node) { return patroni_env().get("HSOPS_PATRONI_" + upper(node)); }
std::string node_port(const std::string& node) { return patroni_env().get("HSOPS_PATRONI_" + upper(node) + "_PORT"); }

// Through haproxy: which server answers (port, in recovery?).
struct Landing {
  std::string port;
  std::string in_recovery;
};
std::optional<Landing> haproxy_landing() {
  auto c = pg::Connection::open(patroni_env().get("HSOPS_PATRONI_PG_HAPROXY"), quick());
  if (!c.ok()) return std::nullopt;
  auto r = c.value().query("SELECT inet_server_port()::text, pg_is_in_recovery()::text");
  if (!r.ok() || r->size() != 1) return std::nullopt;
  return Landing{r->rows[0][0].value_or(""), r->rows[0][1].value_or("")};
}

bool row_visible(const std::string& conninfo, const std::string& marker) {
  auto c = pg::Connection::open(conninfo, quick());
  if (!c.ok()) return false;
  auto r = c.value().query("SELECT 1 FROM hsops_patroni_test WHERE marker = $1", {marker});
  return r.ok() && r->size() == 1;
}

void insert_through_haproxy(const std::string& marker) {
  auto c = pg::Connection::open(patroni_env().get("HSOPS_PATRONI_PG_HAPROXY"), quick());
  INFO((c.ok() ? std::string() : c.error().message));
  REQUIRE(c.ok());
  auto t = c.value().query("CREATE TABLE IF NOT EXISTS hsops_patroni_test (marker text PRIMARY KEY, at timestamptz DEFAULT now())");
  INFO((t.ok() ? std::string() : t.error().message));
  REQUIRE(t.ok());
  auto i = c.value().query("INSERT INTO hsops_patroni_test (marker) VALUES ($1)", {marker});
  INFO((i.ok() ? std::string() : i.error().message));
  REQUIRE(i.ok());
}

std::string unique_marker(const char* what) {
  std::random_device rd;
  return std::string(what) + "-" + std::to_string(rd()) + std::to_string(rd());
}

long read_pid(const std::string& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return pid;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

TEST_CASE("the Patroni profile has one leader and one streaming replica, and writes through haproxy land on the leader", "[patroni]") {
  auto view = get_cluster(rest_urls());
  INFO("GET /cluster: " << view.raw);
  REQUIRE(view.answered);
  REQUIRE(view.healthy());
  const Member* leader = view.with_role("leader");
  const Member* replica = view.with_role("replica");
  REQUIRE(leader->timeline == replica->timeline);

  // The replica streams from the leader (pg_stat_replication on the leader).
  auto lc = pg::Connection::open(node_conninfo(leader->name), quick());
  REQUIRE(lc.ok());
  auto rep = lc.value().query("SELECT state FROM pg_stat_replication WHERE application_name = $1", {replica->name});
  REQUIRE(rep.ok());
  REQUIRE(rep->size() == 1);
  CHECK(rep->rows[0][0].value_or("") == "streaming");

  // A write through haproxy lands on the leader (its port, not in recovery) and reaches the replica.
  auto landing = haproxy_landing();
  REQUIRE(landing.has_value());
  CHECK(landing->port == node_port(leader->name));
  CHECK(landing->in_recovery == "false");
  const std::string marker = unique_marker("write");
  insert_through_haproxy(marker);
  CHECK(row_visible(node_conninfo(leader->name), marker));
  CHECK(wait_until(10s, [&] { return row_visible(node_conninfo(replica->name), marker); }));
}

TEST_CASE("kill -9 of the leader's Patroni and PostgreSQL: the replica takes over behind haproxy, the old leader rejoins as replica", "[patroni]") {
  const auto& env = patroni_env();
  const auto urls = rest_urls();
  auto view = get_cluster(urls);
  INFO("GET /cluster: " << view.raw);
  REQUIRE(view.healthy());
  const std::string old_leader = view.with_role("leader")->name;
  const std::string new_leader = view.with_role("replica")->name;
  const long old_timeline = view.with_role("leader")->timeline;

  // A row written before the fault, replayed on the replica (async replication: a row the
  // replica has not replayed could legitimately be lost).
  const std::string before = unique_marker("before");
  insert_through_haproxy(before);
  REQUIRE(wait_until(10s, [&] { return row_visible(node_conninfo(new_leader), before); }));

  const long patroni_pid = read_pid(env.get("HSOPS_PATRONI_" + upper(old_leader) + "_PID_FILE"));
  const long postmaster_pid = read_pid(env.get("HSOPS_PATRONI_" + upper(old_leader) + "_POSTMASTER_PID_FILE"));
  REQUIRE(patroni_pid > 1);
  REQUIRE(postmaster_pid > 1);
  const auto t_kill = Clock::now();
  REQUIRE(::kill(static_cast<pid_t>(patroni_pid), SIGKILL) == 0);
  REQUIRE(::kill(static_cast<pid_t>(postmaster_pid), SIGKILL) == 0);

  // Within ttl + loop_wait + margin the replica leads (the leader key expires after ttl).
  const long ttl = std::stol(env.get("HSOPS_PATRONI_TTL"));
  const long loop_wait = std::stol(env.get("HSOPS_PATRONI_LOOP_WAIT"));
  const auto limit = std::chrono::seconds(ttl + loop_wait + 15);
  ClusterView after;
  const bool promoted = wait_until(limit, [&] {
    after = get_cluster(urls);
    const Member* l = after.with_role("leader");
    return l != nullptr && l->name == new_leader;
  });
  INFO("GET /cluster after the kill: " << after.raw);
  REQUIRE(promoted);
  const double promote_s = seconds_since(t_kill);

  // haproxy follows (GET /primary: 200 only on the new leader) and writes land there.
  std::optional<Landing> landing;
  const bool routed = wait_until(15s, [&] {
    landing = haproxy_landing();
    return landing && landing->port == node_port(new_leader) && landing->in_recovery == "false";
  });
  REQUIRE(routed);
  const double routed_s = seconds_since(t_kill);
  CHECK(row_visible(env.get("HSOPS_PATRONI_PG_HAPROXY"), before));
  const std::string during = unique_marker("after-failover");
  insert_through_haproxy(during);
  CHECK(row_visible(node_conninfo(new_leader), during));
  // The new leader's member key shows the new timeline from its next HA loop on.
  CHECK(wait_until(10s, [&] {
    const auto v = get_cluster(urls);
    const Member* l = v.with_role("leader");
    return l != nullptr && l->timeline > old_timeline;
  }));

  // The killed node, restarted with the harness, rejoins as a replica (pg_rewind or re-clone)
  // and gets the row written after the failover.
  const auto t_restart = Clock::now();
  hsops::exec::Command start(env.get("HSOPS_PATRONI_SCRIPT"), {"node", "start", old_leader});
  start.deadline = 150s;
  auto run = hsops::exec::run(start);
  REQUIRE(run.ok());
  INFO("patroni node start " << old_leader << ":\n" << run->out << run->err);
  REQUIRE(run->exit_code == 0);
  ClusterView rejoined;
  const bool back = wait_until(60s, [&] {
    rejoined = get_cluster(urls);
    const Member* l = rejoined.with_role("leader");
    const Member* r = rejoined.with_role("replica");
    return rejoined.healthy() && l->name == new_leader && r->name == old_leader && r->timeline == l->timeline;
  });
  INFO("GET /cluster after the restart: " << rejoined.raw);
  REQUIRE(back);
  CHECK(wait_until(15s, [&] { return row_visible(node_conninfo(old_leader), during); }));
  const double rejoin_s = seconds_since(t_restart);
  std::cout << "patroni failover: " << new_leader << " leader " << promote_s << " s after kill -9 of " << old_leader
            << ", haproxy routing to it after " << routed_s << " s; " << old_leader << " rejoined as replica in " << rejoin_s
            << " s\n";
}
