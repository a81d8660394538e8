#include "checks/wal/config.h"

#include <algorithm>

#include "checks/common/fit_options.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until conninfo below is set
# The server whose WAL to watch (normally the primary): a libpq conninfo without a password.
# The role needs pg_monitor (GRANT pg_monitor TO hsops;) for pg_ls_waldir() and data_directory.
# conninfo: "host=127.0.0.1 port=5432 user=hsops dbname=postgres"
# The password, never inline: a file (first line) or an environment variable; or a libpq
# passfile= in conninfo.
# password_file: /etc/hsops/pg-hsops.password
# password_env: HSOPS_PG_PASSWORD
# connect_timeout: 3s
# statement_timeout: 5s
# The directory holding WAL as this host sees it (its filesystem's free space gives the time
# until full). Default: <data_directory>/pg_wal when conninfo is local (socket, localhost).
# wal_path: /var/lib/postgresql/15/main/pg_wal
# An inactive slot retaining more than this is WARNING (-w sets it too, in bytes) ...
# inactive_slot_warn_bytes: 1GiB
# ... and CRITICAL above this (0 = off; -c sets it).
# inactive_slot_crit_bytes: 0
# WAL filesystem full (at pg_wal's growth rate) within warn_within: WARNING; crit_within: CRITICAL.
# warn_within: 24h
# crit_within: 4h
# Samples for the WAL rates. Default: <state_dir>/wal-samples.json.
# state_file: /var/lib/hsops/wal-samples.json
# Rates are fitted over this window, keeping at most max_samples, once there are min_samples
# spanning min_span.
# fit_window: 1h
# max_samples: 256
# min_samples: 3
# min_span: 5m
)";

constexpr std::string_view kThresholdHelp =
    "-w/-c: bytes an inactive replication slot may retain before WARNING / CRITICAL (sizes such as 1GiB, "
    "replacing inactive_slot_warn_bytes / inactive_slot_crit_bytes). Time-until-full rules stay as configured.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return wal::make_wal_check(read_wal_options(section, services), wal::Deps{services.clock, disk::statfs_real});
}

void validate(const config::Section& section, const Services& services) { (void)read_wal_options(section, services); }

}  // namespace

wal::Options read_wal_options(const config::Section& s, const Services& services) {
  wal::Options o;
  o.target = read_pg_target(s, services);
  o.wal_path = s.optional_string("wal_path");
  if (o.wal_path && (o.wal_path->empty() || o.wal_path->front() != '/')) s.fail("wal_path", "must be an absolute path");
  o.statfs_timeout = services.timeout ? std::min(Millis(5000), *services.timeout) : Millis(5000);
  auto& t = o.thresholds;
  t.inactive_slot_warn_bytes = s.size("inactive_slot_warn_bytes", t.inactive_slot_warn_bytes);
  t.inactive_slot_crit_bytes = s.size("inactive_slot_crit_bytes", t.inactive_slot_crit_bytes);
  t.warn_within = positive_seconds(s, "warn_within", t.warn_within);
  t.crit_within = positive_seconds(s, "crit_within", t.crit_within);
  auto& r = o.rates;
  read_fit_options_into(r, s, (services.global.state_dir / "wal-samples.json").string(), false);
  s.reject_unknown_keys();
  t.inactive_slot_warn_bytes = cli_size(services.warning, "-w").value_or(t.inactive_slot_warn_bytes);
  t.inactive_slot_crit_bytes = cli_size(services.critical, "-c").value_or(t.inactive_slot_crit_bytes);
  return o;
}

CheckInfo wal_check_info() {
  return CheckInfo{"wal",
                   "replication slots and the WAL they keep, pg_wal size and growth, archiver failures, "
                   "time until the WAL filesystem is full",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
