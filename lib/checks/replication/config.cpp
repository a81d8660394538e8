#include "checks/replication/config.h"
#include "checks/common/fit_options.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until conninfo below is set
# The primary (a libpq conninfo without a password). The role needs pg_monitor
# (GRANT pg_monitor TO hsops;): without it pg_stat_replication hides every figure.
# Pointed at a standby instead, the check reports that standby's own view.
# conninfo: "host=db1 port=5432 user=hsops dbname=postgres"
# password_file: /etc/hsops/pg-hsops.password
# password_env: HSOPS_PG_PASSWORD
# connect_timeout: 3s
# statement_timeout: 5s
# The standbys that must be streaming: a missing one is CRITICAL. `name` is its
# application_name or the name of the replication slot it uses. With `conninfo` the check
# also asks the standby itself (WAL receiver, receive/replay lag); the password is inherited
# unless the standby sets its own password_file/password_env.
# standbys:
#   - name: db2
#     conninfo: "host=db2 port=5432 user=hsops dbname=postgres"
# Without `standbys`, at least this many must be connected.
# min_standbys: 1
# Replay lag (bytes behind the primary's WAL position, and replay_lag time).
# warn_lag_bytes: 16MiB
# crit_lag_bytes: 1GiB
# warn_lag: 1m
# crit_lag: 5m
)";

constexpr std::string_view kThresholdHelp =
    "-w/-c: replay lag time (durations such as 30s, 5m), replacing warn_lag / crit_lag. "
    "Byte-lag thresholds and missing-standby rules stay as configured.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return replication::make_replication_check(read_replication_options(section, services));
}

void validate(const config::Section& section, const Services& services) { (void)read_replication_options(section, services); }

}  // namespace

replication::Options read_replication_options(const config::Section& s, const Services& services) {
  replication::Options o;
  o.server = read_pg_target(s, services);
  for (const auto& item : s.list("standbys")) {
    replication::ExpectedStandby want;
    want.name = item.string("name", "");
    if (want.name.empty()) item.fail("name", "is required: the standby's application_name or slot name");
    for (const auto& other : o.standbys) {
      if (other.name == want.name) item.fail("name", "standby '" + want.name + "' is listed twice");
    }
    if (item.has("conninfo")) want.target = read_pg_target(item, o.server);
    item.reject_unknown_keys();
    o.standbys.push_back(std::move(want));
  }
  const auto min = s.integer_in("min_standbys", 1, 0, 1000);
  o.min_standbys = static_cast<std::size_t>(min);
  auto& t = o.thresholds;
  t.warn_lag_bytes = s.size("warn_lag_bytes", t.warn_lag_bytes);
  t.crit_lag_bytes = s.size("crit_lag_bytes", t.crit_lag_bytes);
  t.warn_lag = positive_seconds(s, "warn_lag", t.warn_lag);
  t.crit_lag = positive_seconds(s, "crit_lag", t.crit_lag);
  s.reject_unknown_keys();
  using std::chrono::duration_cast;
  if (auto w = cli_duration(services.warning, "-w")) t.warn_lag = duration_cast<std::chrono::seconds>(*w);
  if (auto c = cli_duration(services.critical, "-c")) t.crit_lag = duration_cast<std::chrono::seconds>(*c);
  return o;
}

CheckInfo replication_check_info() {
  return CheckInfo{"replication",
                   "streaming standbys seen from the primary (missing ones are CRITICAL), byte/time lag, "
                   "and each standby's own WAL receiver and replay",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
