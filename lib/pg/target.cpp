#include "pg/target.h"

#include "pg/conninfo.h"

namespace hsops::pg {
namespace {

std::string read_conninfo(const config::Section& s, std::string_view missing) {
  auto conninfo = s.optional_string("conninfo");
  if (!conninfo || conninfo->empty()) s.fail("conninfo", std::string(missing));
  if (conninfo->find("password=") != std::string::npos || conninfo->find("password =") != std::string::npos) {
    s.fail("conninfo", "must not contain a password: use password_file, password_env or a libpq passfile=");
  }
  return *conninfo;
}

}  // namespace

Target read_target(const config::Section& s, const Options& defaults, std::string_view missing) {
  Target t;
  t.options = defaults;
  t.conninfo = read_conninfo(s, missing);
  t.password = s.secret("password");
  t.options.connect_timeout = s.positive_duration("connect_timeout", defaults.connect_timeout);
  t.options.statement_timeout = s.positive_duration("statement_timeout", defaults.statement_timeout);
  return t;
}

Target read_target(const config::Section& s, const Target& inherit, std::string_view missing) {
  Target t = inherit;
  t.conninfo = read_conninfo(s, missing);
  if (auto own = s.secret("password")) t.password = own;
  return t;
}

std::string full_conninfo(const Target& target) {
  return target.password ? with_password(target.conninfo, *target.password) : target.conninfo;
}

Result<Connection> connect(const Target& target) { return Connection::open(full_conninfo(target), target.options); }

}  // namespace hsops::pg
