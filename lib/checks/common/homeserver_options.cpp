#include "checks/common/homeserver_options.h"

namespace hsops::checks {

std::string read_homeserver_url(const config::Section& s, std::string_view check) {
  std::string url = s.string("homeserver_url", "");
  const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!http || url.find_first_not_of('/', url.find("://") + 3) == std::string::npos) {
    s.fail("homeserver_url", "checks." + std::string(check) + " needs homeserver_url, an http(s) URL of the client API");
  }
  while (url.back() == '/') url.pop_back();
  return url;
}

std::optional<PgTarget> read_synapse_database(const config::Section& s, const Services& services) {
  const config::Section db = s.child("database");
  if (!db.present()) return std::nullopt;
  PgTarget target = read_pg_target(db, services);
  db.reject_unknown_keys();
  return target;
}

}  // namespace hsops::checks
