// `hsops check replication` (and `wal` where the same fault shows in both) against the test
// stack's real PostgreSQL primary + streaming standby. The fault is the outage's: the standby
// stops, WAL keeps coming, its slot keeps it all. The standby is restarted the way the harness
// starts it (pg_ctl as the postgres user), by a guard, so the stack is left healthy.
#include <catch2/catch.hpp>

#include <random>

#include "wal_test_support.h"

using namespace std::chrono_literals;
using namespace hsops::test::wal;
using hsops::test::stack_env;
namespace pg = hsops::pg;

namespace {

std::string config_yaml(const Workdir& w) {
  const auto& env = stack_env();
  return "state_dir: " + (w.dir / "state").string() + "\nchecks:\n"
         "  replication:\n"
         "    conninfo: \"" + env.get("HSOPS_PG_MONITOR") + "\"\n"
         "    standbys:\n"
         "      - name: " + env.get("HSOPS_PG_SLOT") + "\n"
         "        conninfo: \"" + env.get("HSOPS_PG_MONITOR_STANDBY") + "\"\n"
         "  wal:\n"
         "    conninfo: \"" + env.get("HSOPS_PG_MONITOR") + "\"\n"
         "    inactive_slot_warn_bytes: 8MiB\n";
}

double replay_gap(pg::Connection& primary) {
  const auto v = one(primary,
                     "SELECT coalesce(max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)), -1) "
                     "FROM pg_stat_replication WHERE state = 'streaming'");
  return std::stod(v);
}

// Streaming and within 1 MiB (Synapse keeps writing a little).
bool caught_up(pg::Connection& primary) {
  const double gap = replay_gap(primary);
  return gap >= 0 && gap < 1048576;
}

double slot_retained(pg::Connection& primary, const std::string& slot) {
  return std::stod(one(primary,
                       "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) FROM pg_replication_slots "
                       "WHERE slot_name = $1",
                       {slot}));
}

// A login role without pg_monitor, with a password in a 0600 file; dropped afterwards.
class PlainRole {
 public:
  explicit PlainRole(const Workdir& w) : primary_(superuser(stack_env().get("HSOPS_PG_PRIMARY"))) {
    std::random_device rd;
    char hex[33];
    std::snprintf(hex, sizeof hex, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
    password = hex;
    password_file = w.write("nomon.password", password + "\n");
    (void)primary_.query("DROP ROLE IF EXISTS " + name);
    // A hex literal: nothing to escape (utility statements take no parameters).
    auto r = primary_.query("CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'");
    if (!r) FAIL(r.error().message);
  }
  ~PlainRole() { (void)primary_.query("DROP ROLE IF EXISTS " + name); }
  PlainRole(const PlainRole&) = delete;
  PlainRole& operator=(const PlainRole&) = delete;

  const std::string name = "hsops_it_nomon";
  std::string password;
  fs::path password_file;

 private:
  pg::Connection primary_;
};

}  // namespace

TEST_CASE("replication: the healthy pair is OK with lag near 0 from both ends", "[replication][stack]") {
  const auto& env = stack_env();
  auto primary = superuser(env.get("HSOPS_PG_PRIMARY"));
  REQUIRE(wait_until([&] { return caught_up(primary); }, 60s));
  const Workdir w("replication");
  const auto config = w.write("hsops.yaml", config_yaml(w));

  const auto rep = run_check("replication", config);
  INFO(rep.raw);
  CHECK(rep.status() == "OK");
  CHECK(rep.exit_code == 0);
  const std::string slot = env.get("HSOPS_PG_SLOT");
  CHECK(metric(rep.check, "hsops_pg_standby_connected", "standby", slot) == 1);
  const auto lag = metric(rep.check, "hsops_pg_replication_lag_bytes", "standby", slot);
  REQUIRE(lag);
  CHECK(*lag < 1048576);
  CHECK(metric(rep.check, "hsops_pg_standby_in_recovery", "standby", slot) == 1);
  CHECK(metric(rep.check, "hsops_pg_standby_streaming", "standby", slot) == 1);
  CHECK(metric(rep.check, "hsops_pg_standby_receive_lag_bytes", "standby", slot) < 1048576);

  // Pointed at the standby, the check reports the standby's own view.
  const auto self = run_check("replication", w.write("standby.yaml", "state_dir: " + (w.dir / "state").string() +
                                                                        "\nchecks:\n  replication:\n    conninfo: \"" +
                                                                        env.get("HSOPS_PG_MONITOR_STANDBY") + "\"\n"));
  INFO(self.raw);
  CHECK(self.status() == "OK");
  CHECK_THAT(self.summary(), Catch::Contains("is a standby, streaming"));

  const auto wal = run_check("wal", config);
  INFO(wal.raw);
  CHECK(wal.status() == "OK");
  CHECK(metric(wal.check, "hsops_pg_slot_active", "slot", slot) == 1);
  CHECK(metric(wal.check, "hsops_pg_wal_bytes") > 0);
  CHECK(metric(wal.check, "hsops_pg_wal_fs_avail_bytes") > 0);  // data_directory/pg_wal: conninfo is local
}

TEST_CASE("replication/wal: a role without pg_monitor is UNKNOWN naming the grant", "[replication][wal][stack]") {
  const auto& env = stack_env();
  const Workdir w("nomon");
  const PlainRole role(w);
  const std::string conninfo = "host=127.0.0.1 port=" + env.get("HSOPS_PG_PRIMARY_PORT") + " user=" + role.name +
                               " dbname=postgres";
  const auto config = w.write("hsops.yaml", "state_dir: " + (w.dir / "state").string() +
                                                "\nchecks:\n  replication:\n    conninfo: \"" + conninfo +
                                                "\"\n    password_file: " + role.password_file.string() +
                                                "\n  wal:\n    conninfo: \"" + conninfo +
                                                "\"\n    password_file: " + role.password_file.string() + "\n");
  for (const char* name : {"replication", "wal"}) {
    const auto r = run_check(name, config);
    INFO(r.raw);
    CHECK(r.status() == "UNKNOWN");
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.summary(), Catch::Contains("GRANT pg_monitor TO " + role.name));
    CHECK(r.raw.find(role.password) == std::string::npos);
  }
}

TEST_CASE("replication/wal: standby stopped -> CRITICAL and the slot keeps WAL then restarted -> OK", "[replication][wal][stack]") {
  const auto& env = stack_env();
  const std::string slot = env.get("HSOPS_PG_SLOT");
  auto primary = superuser(env.get("HSOPS_PG_PRIMARY"));
  const Workdir w("standby-stop");
  const auto config = w.write("hsops.yaml", config_yaml(w));
  {
    StandbyStopped stopped;
    REQUIRE(wait_until([&] { return one(primary, "SELECT count(*) FROM pg_stat_replication") == "0"; }, 30s));
    generate_wal(primary, "hsops_wal_it", 40);

    const auto rep = run_check("replication", config);
    INFO(rep.raw);
    CHECK(rep.status() == "CRITICAL");
    CHECK(rep.exit_code == 2);
    CHECK_THAT(rep.summary(), Catch::Contains("standby '" + slot + "' is not connected"));
    CHECK(metric(rep.check, "hsops_pg_standby_connected", "standby", slot) == 0);
    // Its own side is down too: the libpq error, promptly.
    CHECK(details_contain(rep.check, "cannot connect to PostgreSQL"));

    const double before = slot_retained(primary, slot);
    const auto wal = run_check("wal", config);
    const double after = slot_retained(primary, slot);
    INFO(wal.raw);
    CHECK(wal.status() == "WARNING");
    CHECK_THAT(wal.summary(), Catch::Contains("slot '" + slot + "' is inactive and retains"));
    CHECK(metric(wal.check, "hsops_pg_slot_active", "slot", slot) == 0);
    const auto retained = metric(wal.check, "hsops_pg_slot_retained_bytes", "slot", slot);
    REQUIRE(retained);
    CHECK(*retained >= 40.0 * 1048576);
    CHECK(*retained >= before);  // pg_wal_lsn_diff computed by the test just before and after
    CHECK(*retained <= after);
    CHECK(details_contain(wal.check, "SELECT pg_drop_replication_slot('" + slot + "');"));
    CHECK(details_contain(wal.check, "max_slot_wal_keep_size"));
    stopped.start();
  }
  REQUIRE(wait_until([&] { return caught_up(primary); }, 120s));
  (void)primary.query("DROP TABLE IF EXISTS hsops_wal_it");
  for (const char* name : {"replication", "wal"}) {
    const auto r = run_check(name, config);
    INFO(r.raw);
    CHECK(r.status() == "OK");
  }
}
