// How the wal and replication checks reach PostgreSQL: conninfo from config, the password
// only from a secret file/env var (or libpq's passfile), connect and statement timeouts on
// every connection, and failures in the operator's words.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checks/check_info.h"
#include "core/check.h"
#include "core/result.h"
#include "core/status.h"
#include "pg/connection.h"
#include "pg/target.h"

namespace hsops::checks {

using PgTarget = pg::Target;

// pg::read_target with the checks' defaults (connect 3s, statement 5s); -t caps both timeouts.
PgTarget read_pg_target(const config::Section& s, const Services& services);
// The same keys for a nested target (a standby), inheriting what it does not set.
PgTarget read_pg_target(const config::Section& s, const PgTarget& inherit);

using pg::connect;

// A failure to collect figures, as a check result: a server that cannot be reached is
// CRITICAL (it is down for Synapse too); a missing privilege is UNKNOWN and says what to grant.
struct PgFailure {
  Status status = Status::unknown;
  std::string summary;
};
PgFailure describe_failure(const Error& error, std::string_view role);
// The failure as check `check`'s whole result (nothing was measured).
CheckResult failed_result(std::string check, const PgFailure& failure);

// Run first on every connection: who we are and whether pg_monitor's privileges apply.
inline constexpr std::string_view kWhoAmI =
    "SELECT current_user AS role, pg_has_role('pg_monitor', 'USAGE') AS monitor, pg_is_in_recovery() AS standby";
// UNKNOWN naming the grant, for a role without pg_monitor.
PgFailure missing_pg_monitor(std::string_view role, std::string_view needed_for);

}  // namespace hsops::checks
