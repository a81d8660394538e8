#include "checks/common/pg_target.h"

#include <algorithm>
#include <utility>

#include "pg/conninfo.h"

namespace hsops::checks {

PgTarget read_pg_target(const config::Section& s, const Services& services) {
  pg::Options defaults;
  defaults.connect_timeout = Millis(3000);
  defaults.statement_timeout = Millis(5000);
  defaults.application_name = "hsops";
  PgTarget t = pg::read_target(
      s, defaults, "is required: a libpq conninfo such as \"host=db1 port=5432 user=hsops dbname=postgres\"");
  if (services.timeout) {
    t.options.connect_timeout = std::min(t.options.connect_timeout, *services.timeout);
    t.options.statement_timeout = std::min(t.options.statement_timeout, *services.timeout);
  }
  return t;
}

PgTarget read_pg_target(const config::Section& s, const PgTarget& inherit) {
  return pg::read_target(s, inherit, "is required for a standby checked from its side");
}

PgFailure describe_failure(const Error& error, std::string_view role) {
  if (error.kind == ErrorKind::connect) return {Status::critical, error.message};
  if (pg::is_insufficient_privilege(error)) {
    const std::string who = role.empty() ? std::string("the monitoring role") : std::string(role);
    return {Status::unknown, "permission denied for " + who + ": GRANT pg_monitor TO " + who + "; (" + error.message + ")"};
  }
  if (error.kind == ErrorKind::timeout) return {Status::unknown, error.message + " (statement_timeout)"};
  return {Status::unknown, error.message};
}

CheckResult failed_result(std::string check, const PgFailure& failure) {
  CheckResult r;
  r.check = std::move(check);
  r.status = failure.status;
  r.summary = failure.summary;
  return r;
}

PgFailure missing_pg_monitor(std::string_view role, std::string_view needed_for) {
  const std::string who(role);
  return {Status::unknown, "role " + who + " lacks pg_monitor, needed for " + std::string(needed_for) +
                               ": run GRANT pg_monitor TO " + who + "; on the primary"};
}

}  // namespace hsops::checks
