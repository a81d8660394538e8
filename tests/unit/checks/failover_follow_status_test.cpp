#include <catch2/catch.hpp>

#include "checks/failover_follow/verdict.h"

using namespace hsops::checks::failover_follow;
using hsops::Status;

namespace {
constexpr double kNow = 1'796'000'000;

FollowState state(double heartbeat_age = 5) {
  FollowState s;
  s.deployment = "hs1";
  s.pid = 1234;
  s.updated_at = kNow - heartbeat_age;
  s.poll_interval_seconds = 1;
  s.leader = "pg2";
  s.active_homeserver = "hs2";
  s.changes = 1;
  return s;
}

Change change(bool ok, double age) {
  Change c;
  c.from = "pg1";
  c.to = "pg2";
  c.leader_last_seen_at = kNow - age - 10.1;
  c.leader_elected_at = kNow - age;
  c.ok = ok;
  if (ok) {
    c.followed_at = kNow - age + 2.2;
    c.patroni_seconds = 10.1;
    c.hsops_seconds = 2.2;
    c.rto_seconds = 12.3;
  } else {
    c.failed_step = "route.switch";
    c.error = "haproxy admin socket: connection refused";
  }
  c.run_id = "20261206T023000Z-follow";
  c.report = "/var/lib/hsops/failover/reports/20261206T023000Z-follow.json";
  return c;
}

FollowState with_change(FollowState s, Change c) {
  s.last_change = std::move(c);
  return s;
}

FollowState no_leader(FollowState s, double for_seconds) {
  s.leader.reset();
  s.no_leader_since = kNow - for_seconds;
  return s;
}

Follow follow(std::optional<FollowState> s, std::string problem = "") {
  return Follow{"/var/lib/hsops/failover/follow.json", std::move(s), std::move(problem)};
}

std::vector<Condition> conditions(const Verdict& v) {
  std::vector<Condition> out;
  for (const auto& f : v.findings) out.push_back(f.condition);
  return out;
}
}  // namespace

TEST_CASE("failover_follow status: the rule table boundary by boundary", "[failover_follow][status]") {
  const Thresholds t;  // stale_after 60 s, changed_window 15 min
  using C = Condition;
  struct Row {
    const char* what;
    Follow follow;
    Status want;
    std::vector<Condition> findings;
  };
  const std::vector<Row> rows{
      {"no file", follow(std::nullopt), Status::unknown, {}},
      {"a corrupt file", follow(std::nullopt, "follow.json: not a JSON object"), Status::unknown, {}},
      {"a follower that never saw a change", follow(state()), Status::ok, {}},
      {"heartbeat exactly stale_after old", follow(state(60)), Status::ok, {}},
      {"heartbeat a second past stale_after", follow(state(61)), Status::critical, {C::follower_down}},
      {"stale with no leader and a failed change: only the follower", follow(with_change(no_leader(state(61), 30), change(false, 20))),
       Status::critical, {C::follower_down}},
      {"a clock behind the heartbeat", follow(state(-30)), Status::ok, {}},
      {"no leader for a second", follow(no_leader(state(), 1)), Status::critical, {C::no_leader}},
      {"no leader and the last change failed", follow(with_change(no_leader(state(), 30), change(false, 600))), Status::critical,
       {C::no_leader, C::follow_failed}},
      {"the last change failed an hour ago: stays", follow(with_change(state(), change(false, 3600))), Status::critical,
       {C::follow_failed}},
      {"a followed change just now", follow(with_change(state(), change(true, 0))), Status::warning, {C::leader_changed}},
      {"a followed change a second inside the window", follow(with_change(state(), change(true, 899))), Status::warning,
       {C::leader_changed}},
      {"a followed change exactly the window old", follow(with_change(state(), change(true, 900))), Status::ok, {}},
      {"a followed change and no leader again", follow(with_change(no_leader(state(), 5), change(true, 60))), Status::critical,
       {C::no_leader, C::leader_changed}},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const Verdict v = judge(row.follow, kNow, t);
    CHECK(v.status == row.want);
    CHECK(conditions(v) == row.findings);
    CHECK(v.reasons.empty() == (row.want == Status::ok));
  }
}

TEST_CASE("failover_follow status: shorter thresholds move the boundaries", "[failover_follow][status]") {
  Thresholds t;
  t.stale_after = std::chrono::seconds(20);
  t.changed_window = std::chrono::seconds(60);
  CHECK(judge(follow(state(21)), kNow, t).status == Status::critical);
  CHECK(judge(follow(with_change(state(), change(true, 59))), kNow, t).status == Status::warning);
  CHECK(judge(follow(with_change(state(), change(true, 60))), kNow, t).status == Status::ok);
}

TEST_CASE("failover_follow status: reasons say what, when and what to do", "[failover_follow][status]") {
  const Thresholds t;
  CHECK(judge(follow(std::nullopt), kNow, t).reasons.at(0) ==
        "no follower state in /var/lib/hsops/failover/follow.json: is `hsops failover follow` running "
        "(dist/hsops-failover-follow.service)?");
  CHECK(judge(follow(std::nullopt, "follow.json: version 2"), kNow, t).reasons.at(0) == "follow.json: version 2");
  CHECK(judge(follow(state(125)), kNow, t).reasons.at(0) ==
        "the follower has not written /var/lib/hsops/failover/follow.json for 2 min 5 s (pid 1234): a leader change "
        "would not move the homeserver; check hsops-failover-follow.service");
  CHECK(judge(follow(no_leader(state(), 42)), kNow, t).reasons.at(0) ==
        "no leader for 42.0 s: Patroni has not elected one (etcd down, or no healthy replica); clients cannot write");
  CHECK(judge(follow(with_change(state(), change(false, 90))), kNow, t).reasons.at(0) ==
        "leader changed pg1 -> pg2 1 min 30 s ago but the homeserver did not follow: route.switch failed: haproxy admin "
        "socket: connection refused; see /var/lib/hsops/failover/reports/20261206T023000Z-follow.json");
  CHECK(judge(follow(with_change(state(), change(true, 30))), kNow, t).reasons.at(0) ==
        "leader changed pg1 -> pg2 30.0 s ago; the homeserver followed to hs2; RTO 12.3 s (Patroni 10.1 s, hsops 2.2 s)");
  auto unknown_start = change(true, 30);
  unknown_start.from.reset();
  unknown_start.leader_last_seen_at.reset();
  unknown_start.patroni_seconds.reset();
  unknown_start.rto_seconds.reset();
  CHECK(judge(follow(with_change(state(), unknown_start)), kNow, t).reasons.at(0) ==
        "leader changed ? -> pg2 30.0 s ago; the homeserver followed to hs2; RTO not measured (the old leader was not seen)");
}
