// The follower's view of Patroni's leader (a boundary table: usable leader or not, same or
// another, first ever seen) and the follow.json it writes for the failover_follow check.
#include <catch2/catch.hpp>

#include "failover/follow.h"
#include "failover/leader_watch.h"

using namespace hsops::failover;

namespace {

LeaderObservation seen(double at, std::string leader, bool answers = true) {
  return LeaderObservation{at, std::move(leader), answers, answers ? "" : "down"};
}

}  // namespace

TEST_CASE("leader watch: the first leader is adopted, not a change", "[failover][follow]") {
  LeaderWatch w;
  CHECK_FALSE(w.observe(seen(10, "pg1")));
  CHECK(w.leader() == "pg1");
  CHECK(w.leader_usable());
  CHECK_FALSE(w.observe(seen(11, "pg1")));
}

TEST_CASE("leader watch: a kill -9 is a gap without a usable leader, then a change", "[failover][follow]") {
  LeaderWatch w;
  (void)w.observe(seen(10, "pg1"));
  (void)w.observe(seen(11, "pg1"));
  // The dead leader's key stays in /cluster until its ttl: named, but /primary does not answer.
  CHECK_FALSE(w.observe(seen(12, "pg1", false)));
  CHECK(w.no_leader_since() == 12.0);
  CHECK_FALSE(w.observe(seen(15, "", false)));
  CHECK(w.no_leader_since() == 12.0);  // since the first poll without one
  const auto change = w.observe(seen(21.5, "pg2"));
  REQUIRE(change);
  CHECK(change->from == "pg1");
  CHECK(change->to == "pg2");
  CHECK(change->last_seen_at == 11.0);
  CHECK(change->elected_at == 21.5);
  CHECK(change->patroni_seconds() == Approx(10.5));
  CHECK_FALSE(w.no_leader_since());
  CHECK(w.leader() == "pg2");
}

TEST_CASE("leader watch: the same leader back after a gap is no change", "[failover][follow]") {
  LeaderWatch w;
  (void)w.observe(seen(10, "pg1"));
  CHECK_FALSE(w.observe(seen(11, "", false)));  // etcd down: /cluster shows no leader
  CHECK_FALSE(w.observe(seen(30, "pg1")));
  CHECK_FALSE(w.no_leader_since());
}

TEST_CASE("leader watch: a switchover without a gap is a change", "[failover][follow]") {
  LeaderWatch w;
  (void)w.observe(seen(10, "pg1"));
  const auto change = w.observe(seen(11, "pg2"));
  REQUIRE(change);
  CHECK(change->patroni_seconds() == Approx(1.0));
  // And back.
  const auto back = w.observe(seen(20, "pg1"));
  REQUIRE(back);
  CHECK(back->from == "pg2");
  CHECK(back->last_seen_at == 11.0);
}

TEST_CASE("leader watch: a start without a leader reports none since the start", "[failover][follow]") {
  LeaderWatch w;
  CHECK_FALSE(w.observe(seen(5, "", false)));
  CHECK(w.no_leader_since() == 5.0);
  CHECK(w.leader().empty());
  // Nothing was known before: adopted, not followed.
  CHECK_FALSE(w.observe(seen(9, "pg2")));
  CHECK(w.leader() == "pg2");
}

TEST_CASE("follow state: the JSON the failover_follow check reads", "[failover][follow]") {
  FollowState s;
  s.deployment = "hs1";
  s.pid = 42;
  s.updated_at = 100;
  s.leader = "";
  s.no_leader_since = 90;
  s.active_homeserver = "hs1";
  auto j = to_json(s);
  CHECK(j["version"] == 1);
  CHECK(j["leader"].is_null());
  CHECK(j["no_leader_since"] == 90.0);
  CHECK(j["last_change"].is_null());

  FollowedChange c;
  c.change = LeaderChange{"pg1", "pg2", 100, 110};
  c.ok = true;
  c.followed_at = 113.5;
  c.run_id = "r1";
  s.last_change = c;
  s.changes = 1;
  j = to_json(s);
  CHECK(j["last_change"]["from"] == "pg1");
  CHECK(j["last_change"]["patroni_seconds"] == Approx(10.0));
  CHECK(j["last_change"]["hsops_seconds"] == Approx(3.5));
  CHECK(j["last_change"]["rto_seconds"] == Approx(13.5));

  c.ok = false;
  c.followed_at.reset();
  c.failed_step = "homeserver.start";
  s.last_change = c;
  j = to_json(s);
  CHECK(j["last_change"]["ok"] == false);
  CHECK(j["last_change"]["rto_seconds"].is_null());
  CHECK(j["last_change"]["hsops_seconds"].is_null());
  CHECK(j["last_change"]["failed_step"] == "homeserver.start");
}
