#include <catch2/catch.hpp>

#include "checks/patroni/verdict.h"

using namespace hsops::checks::patroni;
using hsops::Status;

namespace {

constexpr double kNow = 1'700'000'000;

Member leader(const char* name = "pg1", long long timeline = 2) { return {name, "leader", "running", "", timeline, {}, false}; }
Member replica(const char* name = "pg2", const char* state = "streaming", std::optional<double> lag = 0, long long timeline = 2) {
  return {name, "replica", state, "", timeline, lag, false};
}

MemberApi api(const char* member, double age) { return {std::string("http://") + member + ":8008", member, kNow - age, ""}; }

Snapshot healthy() {
  Snapshot s;
  s.cluster = Cluster{{leader(), replica()}, false};
  s.apis = {api("pg1", 5), api("pg2", 5)};
  s.now = kNow;
  return s;
}

bool mentions(const Verdict& v, const std::string& text) {
  for (const auto& r : v.reasons) {
    if (r.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("patroni status: a healthy pair is OK with the figures", "[patroni][status]") {
  const Snapshot s = healthy();
  const Verdict v = judge(s, Thresholds{});
  CHECK(v.status == Status::ok);
  CHECK(v.reasons.empty());
  CHECK(overview(*s.cluster) == "leader pg1 (timeline 2), 1 replica streaming, lag 0 B");
}

TEST_CASE("patroni status: replica lag boundary by boundary", "[patroni][status]") {
  const Thresholds t;  // 1 MiB warning, 16 MiB critical
  struct Row {
    double lag;
    Status want;
  };
  const std::vector<Row> rows{
      {0, Status::ok},
      {1048576, Status::ok},           // at max_lag: not above it
      {1048577, Status::warning},
      {16777216, Status::warning},     // at crit_lag
      {16777217, Status::critical},
  };
  for (const auto& row : rows) {
    Snapshot s = healthy();
    s.cluster->members[1].lag_bytes = row.lag;
    INFO("lag " << row.lag);
    CHECK(judge(s, t).status == row.want);
  }
}

TEST_CASE("patroni status: replica states", "[patroni][status]") {
  struct Row {
    const char* state;
    Status want;
  };
  const std::vector<Row> rows{
      {"streaming", Status::ok},        // Patroni 3.0.4 and later
      {"running", Status::ok},          // Patroni 3.0.2 (bookworm) reports a following replica so
      {"in archive recovery", Status::warning},
      {"stopped", Status::critical},
      {"starting", Status::critical},
      {"crashed", Status::critical},
      {"", Status::critical},
  };
  for (const auto& row : rows) {
    Snapshot s = healthy();
    s.cluster->members[1].state = row.state;
    INFO("state '" << row.state << "'");
    const Verdict v = judge(s, Thresholds{});
    CHECK(v.status == row.want);
  }
}

TEST_CASE("patroni status: leaders", "[patroni][status]") {
  Snapshot none = healthy();
  none.cluster->members = {replica("pg1"), replica("pg2")};
  const Verdict v = judge(none, Thresholds{});
  CHECK(v.status == Status::critical);
  CHECK(v.reasons.front() == "no leader: nothing accepts writes; Patroni could not elect one — is etcd reachable?");

  Snapshot two = healthy();
  two.cluster->members = {leader("pg1"), leader("pg2")};
  CHECK(judge(two, Thresholds{}).status == Status::critical);
  CHECK(mentions(judge(two, Thresholds{}), "2 leaders (pg1, pg2)"));

  Snapshot standby_leader = healthy();
  standby_leader.cluster->members[0].role = "standby_leader";
  CHECK(judge(standby_leader, Thresholds{}).status == Status::ok);

  Snapshot stopped = healthy();
  stopped.cluster->members[0].state = "stopped";
  CHECK(judge(stopped, Thresholds{}).status == Status::critical);
}

TEST_CASE("patroni status: member count timelines and unknown lag", "[patroni][status]") {
  Snapshot few = healthy();
  few.cluster->members.pop_back();
  few.apis.pop_back();
  CHECK(judge(few, Thresholds{}).status == Status::critical);
  CHECK(mentions(judge(few, Thresholds{}), "1 member(s), 2 expected"));
  Thresholds one;
  one.members = 1;
  CHECK(judge(few, one).status == Status::ok);

  Snapshot forked = healthy();
  forked.cluster->members[1].timeline = 1;
  CHECK(judge(forked, Thresholds{}).status == Status::critical);
  CHECK(mentions(judge(forked, Thresholds{}), "timelines disagree (pg1 2, pg2 1)"));

  Snapshot stopped_old = healthy();  // a stopped member's old timeline is not a disagreement of running ones
  stopped_old.cluster->members.push_back(replica("pg3", "stopped", std::nullopt, 1));
  const Verdict v = judge(stopped_old, Thresholds{});
  CHECK_FALSE(mentions(v, "timelines disagree"));

  Snapshot unknown = healthy();
  unknown.cluster->members[1].lag_bytes.reset();
  unknown.cluster->members[1].lag_unknown = true;
  CHECK(judge(unknown, Thresholds{}).status == Status::warning);
}

TEST_CASE("patroni status: DCS contact boundary by boundary", "[patroni][status]") {
  const Thresholds t;  // dcs_max_age 30 s
  struct Row {
    double age1;
    double age2;
    Status want;
  };
  const std::vector<Row> rows{
      {30, 30, Status::ok},
      {31, 5, Status::warning},
      {5, 31, Status::warning},
      {31, 31, Status::critical},
      {-3, 5, Status::ok},  // a member's clock slightly ahead: age 0
  };
  for (const auto& row : rows) {
    Snapshot s = healthy();
    s.apis = {api("pg1", row.age1), api("pg2", row.age2)};
    INFO(row.age1 << " / " << row.age2);
    CHECK(judge(s, t).status == row.want);
  }
  Snapshot all = healthy();
  all.apis = {api("pg1", 100), api("pg2", 100)};
  CHECK(mentions(judge(all, t), "etcd unreachable from every member: no failover is possible, and a leader that cannot "
                                "renew its lock demotes itself unless failsafe_mode is on"));
  // One answers stale, the other does not answer: every member that reports is stale.
  Snapshot one_silent = healthy();
  one_silent.apis = {api("pg1", 100), MemberApi{"http://pg2:8008", "pg2", std::nullopt, "timeout"}};
  CHECK(judge(one_silent, t).status == Status::critical);
}

TEST_CASE("patroni status: paused silent member and no answer", "[patroni][status]") {
  Snapshot paused = healthy();
  paused.cluster->paused = true;
  CHECK(judge(paused, Thresholds{}).status == Status::warning);
  CHECK(mentions(judge(paused, Thresholds{}), "maintenance mode"));

  Snapshot silent = healthy();
  silent.apis[1] = MemberApi{"http://pg2:8008", "pg2", std::nullopt, "timeout after 1 s"};
  CHECK(judge(silent, Thresholds{}).status == Status::warning);

  Snapshot nothing;
  nothing.cluster_problem = "no member answered /cluster usably (x)";
  const Verdict v = judge(nothing, Thresholds{});
  CHECK(v.status == Status::unknown);
  CHECK(v.reasons.front() == "no member answered /cluster usably (x)");

  // The worst reason comes first.
  Snapshot both = healthy();
  both.cluster->paused = true;
  both.cluster->members[1].state = "stopped";
  const Verdict w = judge(both, Thresholds{});
  CHECK(w.status == Status::critical);
  CHECK(w.reasons.size() == 2);
  CHECK(w.reasons.back() == "cluster paused (maintenance mode): no automatic failover");
}

TEST_CASE("patroni status: etcd gone means no /cluster and stale DCS contact everywhere which is CRITICAL", "[patroni][status]") {
  // What Patroni 3.0.2 does with etcd stopped (seen on the test profile): /cluster is an empty
  // reply on every member while /patroni answers with an ageing dcs_last_seen.
  Snapshot etcd_gone;
  etcd_gone.now = kNow;
  etcd_gone.cluster_problem = "no member answered /cluster usably (empty reply)";
  etcd_gone.apis = {api("pg1", 40), api("pg2", 40)};
  const Verdict v = judge(etcd_gone, Thresholds{});
  CHECK(v.status == Status::critical);
  CHECK(v.reasons.front().rfind("etcd unreachable from every member: no failover is possible", 0) == 0);
  CHECK(v.reasons.back() == "/cluster cannot be read: no member answered /cluster usably (empty reply)");
  // Contact still fresh (just lost): not judged yet, so UNKNOWN with the reason.
  etcd_gone.apis = {api("pg1", 3), api("pg2", 3)};
  CHECK(judge(etcd_gone, Thresholds{}).status == Status::unknown);
  // Only one member stale: the cluster cannot be read, still UNKNOWN (the warning is not the story).
  etcd_gone.apis = {api("pg1", 40), api("pg2", 3)};
  CHECK(judge(etcd_gone, Thresholds{}).status == Status::unknown);
}
