#include "checks/common/homeserver_options.h"

namespace hsops::checks {

bool loopback_url(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view host = url.substr(scheme_end + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (host.rfind("[::1]", 0) == 0) return host.size() == 5 || host[5] == ':';
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.rfind("127.", 0) == 0;
}

void refuse_plain_http(const config::Section& s, std::string_view key, const std::string& url) {
  const bool allow_plain = s.boolean("allow_plain_http", false);
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !http) s.fail(key, "'" + url + "' is not an http(s) URL");
  if (http && !allow_plain && !loopback_url(url)) {
    s.fail(key, "'" + url +
                    "' is plain http: use https, or set allow_plain_http: true "
                    "(passwords and access tokens would cross the network in clear)");
  }
}

std::string read_homeserver_url(const config::Section& s, std::string_view check) {
  std::string url = s.string("homeserver_url", "");
  const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!http || url.find_first_not_of('/', url.find("://") + 3) == std::string::npos) {
    s.fail("homeserver_url", "checks." + std::string(check) + " needs homeserver_url, an http(s) URL of the client API");
  }
  refuse_plain_http(s, "homeserver_url", url);
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
