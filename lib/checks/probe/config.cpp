#include "checks/probe/config.h"

#include "checks/common/homeserver_options.h"
#include "checks/probe/check.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until the required keys below are set
# Required: client API base URL, used when discovery
# finds no /.well-known/matrix/client (404), the probe account and its secret.
# homeserver_url: https://matrix.example.org
# Discovery: /.well-known/matrix/client is fetched from https://<server_name>, or from
# discovery_url when given; `discovery: false` skips it.
# server_name: example.org
# discovery_url: https://example.org
# discovery: true
# The probe account (create it once, e.g. register_new_matrix_user; exempt it from rate
# limits with Synapse's admin API override_ratelimit). Password or access token, from a file
# or an environment variable, never inline.
# user: '@hsops-probe:example.org'
# password_file: /etc/hsops/probe.password
# access_token_file: /etc/hsops/probe.token
# Reused on every login so devices do not pile up.
# device_id: HSOPS_PROBE
# A room to send to; default: a private, non-federated room the probe creates once and
# remembers in state_file.
# room_id: '!abc:example.org'
# state_file: /var/lib/hsops/probe-state.json
# Plain http:// is refused except on loopback unless this is set.
# allow_plain_http: false
# Nagios ranges on the round-trip seconds (-w/-c override), and per phase (discovery, login,
# send, sync_echo).
# warning: 5
# critical: 15
# phase_warning: {sync_echo: 2}
# phase_critical: {}
)";

constexpr std::string_view kThresholdHelp =
    "-w/-c: Nagios ranges on the total round-trip time, in seconds or with a unit, e.g. -w 2 -c 5s "
    "or -w 1500ms (alert above 2 s / 5 s / 1.5 s).";

void read_phase_ranges(const config::Section& s, std::map<std::string, Range>& out) {
  for (const char* phase : probe::kPhases) {
    if (std::string(phase) == "total") continue;
    if (auto r = s.range(phase, std::nullopt)) out.insert_or_assign(phase, *r);
  }
  s.reject_unknown_keys();
}

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return probe::make_probe_check(read_probe_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_probe_options(section, services); }

}  // namespace

probe::Options read_probe_options(const config::Section& s, const Services& services) {
  probe::Options o;
  o.homeserver_url = read_homeserver_url(s, "probe");
  const auto server_name = s.optional_string("server_name");
  o.discovery_url = s.string("discovery_url", server_name ? "https://" + *server_name : o.homeserver_url);
  refuse_plain_http(s, "discovery_url", o.discovery_url);
  if (!s.boolean("discovery", true)) o.discovery_url.clear();
  o.user_id = s.string("user", "");
  if (o.user_id.size() < 4 || o.user_id.front() != '@' || o.user_id.find(':') == std::string::npos) {
    s.fail("user", "needs the probe account's full Matrix ID, e.g. '@hsops-probe:example.org'");
  }
  o.password = s.secret("password");
  o.access_token = s.secret("access_token");
  if (!o.password && !o.access_token) {
    s.fail("user", "set password_file/password_env or access_token_file/access_token_env for the probe account");
  }
  if (o.password && o.access_token) s.fail("access_token_file", "set either a password or an access token, not both");
  o.device_id = s.string("device_id", o.device_id);
  o.room_id = s.string("room_id", "");
  if (!o.room_id.empty() && o.room_id.front() != '!') s.fail("room_id", "must be a room ID ('!...:server'), not an alias");
  o.state_file = s.string("state_file", (services.global.state_dir / "probe-state.json").string());
  o.deadlines = {services.global.connect_timeout, services.global.request_timeout};
  o.ca_file = services.global.ca_file;
  o.budget = services.timeout.value_or(services.global.request_timeout);
  o.deadlines.total = std::min(o.deadlines.total, o.budget);
  if (auto w = s.range("warning", Range::parse("5").value())) o.warning.insert_or_assign("total", *w);
  if (auto c = s.range("critical", std::nullopt)) o.critical.insert_or_assign("total", *c);
  read_phase_ranges(s.child("phase_warning"), o.warning);
  read_phase_ranges(s.child("phase_critical"), o.critical);
  s.reject_unknown_keys();
  if (auto w = cli_range(services.warning, "-w", Figure::seconds)) o.warning.insert_or_assign("total", *w);
  if (auto c = cli_range(services.critical, "-c", Figure::seconds)) o.critical.insert_or_assign("total", *c);
  return o;
}

CheckInfo probe_check_info() {
  return CheckInfo{"probe",
                   "end-to-end client probe: discovery, login, send a notice, see it come back in /sync",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
