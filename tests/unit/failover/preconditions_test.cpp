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

TEST_CASE("failover preconditions: promote with the primary gone judges the lag from its last seen position", "[failover]") {
  TopologyState t;
  t.databases = {{"db1", std::nullopt, "", "connection refused"}, {"db2", true, "0/3000000", ""}};
  t.roles_problem = "no PostgreSQL node is primary (unreachable or both in recovery)";
  // 3 MiB beyond what the standby replayed, seen before the primary went away.
  t.last_seen = LastSeenPrimary{"db1", "0/3300000", 1796510000};
  auto refused = check_preconditions("promote", playbook(), t, false);
  REQUIRE(refused.refusals.size() == 1);
  CHECK(refused.refusals[0] ==
        "the primary db1 was last seen at 0/3300000 (2026-12-05 22:33:20 UTC), the standby db2 has replayed 0/3000000: "
        "at least 3.0 MiB of WAL would be lost, above maximum_lag_on_failover (1.0 MiB); --force to accept it");
  auto forced = check_preconditions("promote", playbook(), t, true);
  CHECK(forced.refusals.empty());
  CHECK(forced.warnings.at(0).find("at least 3.0 MiB of WAL would be lost (--force)") != std::string::npos);
  // Within the limit: a warning with the amount.
  t.last_seen->wal_lsn = "0/3010000";
  auto small = check_preconditions("promote", playbook(), t, false);
  CHECK(small.refusals.empty());
  CHECK(small.warnings.at(0).find("at least 64.0 KiB of WAL is lost") != std::string::npos);
  // The standby has everything that was seen.
  t.last_seen->wal_lsn = "0/3000000";
  auto none = check_preconditions("promote", playbook(), t, false);
  CHECK(none.refusals.empty());
  CHECK(none.warnings.at(0).find("it has all of that") != std::string::npos);
  // Never seen: unknown, said so.
  t.last_seen.reset();
  auto unknown = check_preconditions("promote", playbook(), t, false);
  CHECK(unknown.refusals.empty());
  CHECK(unknown.warnings.at(0).rfind("the standby's lag is unknown", 0) == 0);
}

TEST_CASE("failover last seen: LSN text parses as PostgreSQL prints it and nothing else", "[failover]") {
  CHECK(parse_lsn("0/3000148") == 0x3000148ULL);
  CHECK(parse_lsn("16/B374D848") == 0x16B374D848ULL);
  CHECK(parse_lsn("FFFFFFFF/FFFFFFFF") == 0xFFFFFFFFFFFFFFFFULL);
  for (const char* bad : {"", "/", "0/", "/1", "0x1/2", "1/2/3", "G/1", "1 /2", "100000000/0"}) {
    INFO(bad);
    CHECK_FALSE(parse_lsn(bad).has_value());
  }
}
