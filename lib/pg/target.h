// The one reader of a PostgreSQL section (`conninfo`, `password_file`/`password_env`,
// `connect_timeout`, `statement_timeout`), used by the checks, report-stats and the collector
// so every part refuses the same things: a password written into the conninfo (it belongs in a
// secret file/env var or libpq's passfile) and a timeout of zero or below.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/result.h"
#include "pg/connection.h"

namespace hsops::pg {

struct Target {
  std::string conninfo;                  // as configured; never holds a password
  std::optional<std::string> password;   // from password_file / password_env
  Options options;
};

// Reads the four keys from `s`; the timeouts default to `defaults`' (application_name is kept).
// A missing or empty conninfo fails with `missing` at the conninfo key.
Target read_target(const config::Section& s, const Options& defaults, std::string_view missing);
// The same keys for a nested target (a standby): conninfo required, the rest inherited.
Target read_target(const config::Section& s, const Target& inherit, std::string_view missing);

// The conninfo to hand to libpq: the configured one with the password added.
std::string full_conninfo(const Target& target);
Result<Connection> connect(const Target& target);

}  // namespace hsops::pg
