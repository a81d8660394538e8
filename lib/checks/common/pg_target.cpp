#include "checks/common/pg_target.h"

#include <algorithm>

#include "pg/conninfo.h"

namespace hsops::checks {
namespace {

Millis positive(const config::Section& s, std::string_view key, Millis fallback) {
  const Millis v = s.duration(key, fallback);
  if (v.count() <= 0) s.fail(key, "must be a positive duration");
  return v;
}

void reject_inline_password(const config::Section& s, const std::string& conninfo) {
  if (conninfo.find("password=") != std::string::npos || conninfo.find("password =") != std::string::npos) {
    s.fail("conninfo", "must not contain a password: use password_file, password_env or a libpq passfile=");
  }
}

}  // namespace

PgTarget read_pg_target(const config::Section& s, const Services& services) {
  PgTarget t;
  auto conninfo = s.optional_string("conninfo");
  if (!conninfo || conninfo->empty()) {
    s.fail("conninfo", "is required: a libpq conninfo such as \"host=db1 port=5432 user=hsops dbname=postgres\"");
  }
  t.conninfo = *conninfo;
  reject_inline_password(s, t.conninfo);
  t.password = s.secret("password");
  t.options.connect_timeout = positive(s, "connect_timeout", Millis(3000));
  t.options.statement_timeout = positive(s, "statement_timeout", Millis(5000));
  if (services.timeout) {
    t.options.connect_timeout = std::min(t.options.connect_timeout, *services.timeout);
    t.options.statement_timeout = std::min(t.options.statement_timeout, *services.timeout);
  }
  t.options.application_name = "hsops";
  return t;
}

PgTarget read_pg_target(const config::Section& s, const PgTarget& inherit) {
  PgTarget t = inherit;
  auto conninfo = s.optional_string("conninfo");
  if (!conninfo || conninfo->empty()) s.fail("conninfo", "is required for a standby checked from its side");
  t.conninfo = *conninfo;
  reject_inline_password(s, t.conninfo);
  if (auto own = s.secret("password")) t.password = own;
  return t;
}

Result<pg::Connection> connect(const PgTarget& target) {
  const std::string conninfo = target.password ? pg::with_password(target.conninfo, *target.password) : target.conninfo;
  return pg::Connection::open(conninfo, target.options);
}

PgFailure describe_failure(const Error& error, std::string_view role) {
  if (error.kind == "connect") return {Status::critical, error.message};
  if (pg::is_insufficient_privilege(error)) {
    const std::string who = role.empty() ? std::string("the monitoring role") : std::string(role);
    return {Status::unknown, "permission denied for " + who + ": GRANT pg_monitor TO " + who + "; (" + error.message + ")"};
  }
  if (error.kind == "timeout") return {Status::unknown, error.message + " (statement_timeout)"};
  return {Status::unknown, error.message};
}

PgFailure missing_pg_monitor(std::string_view role, std::string_view needed_for) {
  const std::string who(role);
  return {Status::unknown, "role " + who + " lacks pg_monitor, needed for " + std::string(needed_for) +
                               ": run GRANT pg_monitor TO " + who + "; on the primary"};
}

}  // namespace hsops::checks
