#include <catch2/catch.hpp>

#include "failover/preconditions.h"

using namespace hsops::failover;

namespace {

Playbook playbook() {
  Playbook p;
  p.primary = "db1";
  p.standby = "db2";
  p.active = "hs1";
  p.spare = "hs2";
  p.maximum_lag_on_failover = 1024 * 1024;
  p.switchover_max_lag = 16 * 1024 * 1024;
  return p;
}

TopologyState healthy(double lag = 0) {
  TopologyState t;
  t.databases = {{"db1", false, "0/3000148", ""}, {"db2", true, "0/3000148", ""}};
  t.roles = Roles{"db1", "db2", "hs1", "hs2"};
  t.replication = ReplicationState{"streaming", lag};
  t.homeservers = {{"hs1", true, ""}, {"hs2", false, "refused"}};
  return t;
}

}  // namespace

TEST_CASE("failover preconditions: a switchover needs a streaming standby within the lag limit", "[failover]") {
  CHECK(check_preconditions("switchover", playbook(), healthy(), false).refusals.empty());
  CHECK(check_preconditions("drill", playbook(), healthy(1000), false).refusals.empty());
  auto behind = check_preconditions("switchover", playbook(), healthy(64.0 * 1024 * 1024), false);
  REQUIRE(behind.refusals.size() == 1);
  CHECK(behind.refusals[0] == "standby db2 is 64.0 MiB behind, above switchover_max_lag (16.0 MiB)");
  auto gone = healthy();
  gone.replication = ReplicationState{};
  CHECK(check_preconditions("switchover", playbook(), gone, false).refusals[0].rfind("standby db2 is not connected to db1", 0) == 0);
  auto catching_up = healthy();
  catching_up.replication->state = "catchup";
  CHECK(check_preconditions("switchover", playbook(), catching_up, false).refusals[0] ==
        "standby db2 is catchup, not streaming: wait until it catches up");
  auto split = healthy();
  split.roles.reset();
  split.roles_problem = "both db1 and db2 accept writes (SPLIT BRAIN): stop one now";
  CHECK(check_preconditions("switchover", playbook(), split, false).refusals[0] == split.roles_problem);
}

TEST_CASE("failover preconditions: promote refuses above maximum_lag_on_failover unless forced and says what may be lost", "[failover]") {
  auto t = healthy(4.0 * 1024 * 1024);
  t.databases[0] = {"db1", std::nullopt, "", "connection refused"};  // the primary is gone
  auto refused = check_preconditions("promote", playbook(), t, false);
  REQUIRE(refused.refusals.size() == 1);
  CHECK(refused.refusals[0] ==
        "the standby was 4.0 MiB behind: up to that much WAL may be lost, above maximum_lag_on_failover (1.0 MiB); "
        "--force to accept it");
  auto forced = check_preconditions("promote", playbook(), t, true);
  CHECK(forced.refusals.empty());
  CHECK(forced.warnings.at(0) == "the standby was 4.0 MiB behind: up to that much WAL may be lost (--force)");
  // A primary that still answers: promote is the wrong tool.
  CHECK(check_preconditions("promote", playbook(), healthy(), false).refusals.at(0).rfind("a primary answers (db1)", 0) == 0);
  auto no_standby = t;
  no_standby.databases[1] = {"db2", std::nullopt, "", "refused"};
  CHECK(check_preconditions("promote", playbook(), no_standby, false).refusals.back() == "no standby answers: there is nothing to promote");
}
