#include "checks/federation/config.h"

#include "checks/federation/check.h"
#include "matrix/server_name.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until the required keys below are set
# Required: the server name other servers use (the
# part after ':' in user IDs).
# server_name: example.org
# Skip resolution (well-known, SRV, 8448) and talk to this URL; the Host header stays the
# URL's. Plain http:// only with allow_plain_http (for tests and local listeners).
# base_url: https://matrix.example.org:8448
# allow_plain_http: false
# Warn/crit when the signing keys' valid_until_ts is this close (Synapse renews it daily).
# key_warning: 1h
# key_critical: 0s
# Warn/crit when the TLS certificate expires within this long.
# cert_warning: 14d
# cert_critical: 3d
)";

constexpr std::string_view kThresholdHelp =
    "-w/-c: Nagios ranges on the seconds until valid_until_ts of the signing keys, replacing "
    "key_warning/key_critical; seconds or durations, e.g. -w 1h: -c 0: (alert below 1 h / once expired).";

Range below(std::chrono::milliseconds d) { return Range::parse(std::to_string(d.count() / 1000) + ":").value(); }

Range at_least(const config::Section& s, std::string_view key, std::chrono::milliseconds fallback) {
  const auto d = s.duration(key, fallback);
  if (d.count() < 0) s.fail(key, "must not be negative");
  return below(d);
}

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return federation::make_federation_check(read_federation_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_federation_options(section, services); }

}  // namespace

federation::Options read_federation_options(const config::Section& s, const Services& services) {
  using std::chrono::hours;
  federation::Options o;
  o.server_name = s.string("server_name", "");
  if (o.server_name.empty()) s.fail("server_name", "checks.federation needs server_name (e.g. example.org)");
  if (auto parsed = matrix::parse_server_name(o.server_name); !parsed) s.fail("server_name", parsed.error().message);
  const bool allow_plain = s.boolean("allow_plain_http", false);
  o.base_url = s.string("base_url", "");
  while (!o.base_url.empty() && o.base_url.back() == '/') o.base_url.pop_back();
  if (!o.base_url.empty()) {
    o.plain_http = o.base_url.rfind("http://", 0) == 0;
    if (!o.plain_http && o.base_url.rfind("https://", 0) != 0) s.fail("base_url", "'" + o.base_url + "' is not an http(s) URL");
    if (o.plain_http && !allow_plain) {
      s.fail("base_url", "plain http is not how federation works; set allow_plain_http: true only for tests and local listeners");
    }
  }
  o.key_warning = at_least(s, "key_warning", hours(1));
  o.key_critical = at_least(s, "key_critical", hours(0));
  o.cert_warning = at_least(s, "cert_warning", hours(24 * 14));
  o.cert_critical = at_least(s, "cert_critical", hours(24 * 3));
  s.reject_unknown_keys();
  o.key_warning = cli_range(services.warning, "-w", Figure::seconds).value_or(o.key_warning);
  o.key_critical = cli_range(services.critical, "-c", Figure::seconds).value_or(o.key_critical);
  o.deadlines = {services.global.connect_timeout, services.global.request_timeout};
  o.ca_file = services.global.ca_file;
  o.budget = services.timeout.value_or(services.global.request_timeout);
  o.deadlines.total = std::min(o.deadlines.total, o.budget);
  return o;
}

CheckInfo federation_check_info() {
  return CheckInfo{"federation",
                   "federation reachability: server-name resolution, version, signing keys and self-signature, TLS certificate",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
