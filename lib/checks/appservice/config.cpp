#include "checks/appservice/config.h"

#include <algorithm>

#include "checks/common/homeserver_options.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until homeserver_url and registrations are set
# The client API of the homeserver the appservices are registered with (no discovery: this is
# the homeserver's own view).
# homeserver_url: https://matrix.example.org
# Plain http:// is refused except on loopback unless this is set (the access token
# would cross the network in clear).
# allow_plain_http: false
# The registration files Synapse reads (app_service_config_files). Each is read on every run
# for its id, url, as_token (used for the ping, never printed) and namespaces.
# registrations:
#   - /etc/matrix-synapse/appservices/irc.yaml
# Our own deadline on the ping call. Synapse waits 60 s for an appservice that accepts and
# never answers; past this, the ping is reported as "homeserver -> appservice call hangs".
# ping_timeout: 5s
# Nagios ranges on the ping's duration_ms (seconds).
# ping_warning: 1
# ping_critical: 5
# Synapse's delivery state from its database (read-only): down state, pending transactions,
# appservice sender lag. Leave out to check ping and lint only. The role needs SELECT on
# application_services_state, application_services_txns, appservice_stream_position, events.
# database:
#   conninfo: "host=db1 port=5432 user=hsops_synapse_ro dbname=synapse"
#   password_file: /etc/hsops/synapse-ro.password
# pending_warning: 10         # transactions held (Nagios range)
# pending_critical: ~         # off
# oldest_pending_warning: 60  # seconds the oldest held event has waited
# oldest_pending_critical: 300
# sender_lag_warning: 1000    # events the appservice sender is behind
# sender_lag_critical: 10000
)";

constexpr std::string_view kThresholdHelp = "-w/-c: Nagios ranges on the ping's duration, in seconds or with a unit (-w 500ms -c 2s), replacing "
    "ping_warning / ping_critical.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return appservice::make_appservice_check(read_appservice_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_appservice_options(section, services); }

}  // namespace

appservice::Options read_appservice_options(const config::Section& s, const Services& services) {
  appservice::Options o;
  o.homeserver_url = read_homeserver_url(s, "appservice");
  o.registration_files = s.strings("registrations", {});
  if (o.registration_files.empty()) s.fail("registrations", "list the appservice registration files (as in app_service_config_files)");
  for (const auto& f : o.registration_files) {
    if (f.empty() || f.front() != '/') s.fail("registrations", "'" + f + "' must be an absolute path");
  }
  const Millis budget = services.timeout.value_or(services.global.request_timeout);
  const Millis ping_timeout = s.positive_duration("ping_timeout", Millis(5000));
  // The ping must leave room for /versions and the database within the run's budget.
  o.deadlines = {std::min(services.global.connect_timeout, ping_timeout), std::min(ping_timeout, budget)};
  o.ca_file = services.global.ca_file;
  auto& t = o.thresholds;
  t.ping_warning = s.range("ping_warning", t.ping_warning);
  t.ping_critical = s.range("ping_critical", t.ping_critical);
  t.pending_warning = s.range("pending_warning", t.pending_warning);
  t.pending_critical = s.range("pending_critical", t.pending_critical);
  t.oldest_warning = s.range("oldest_pending_warning", t.oldest_warning);
  t.oldest_critical = s.range("oldest_pending_critical", t.oldest_critical);
  t.lag_warning = s.range("sender_lag_warning", t.lag_warning);
  t.lag_critical = s.range("sender_lag_critical", t.lag_critical);
  o.database = read_synapse_database(s, services);
  s.reject_unknown_keys();
  if (auto w = cli_range(services.warning, "-w", Figure::seconds)) t.ping_warning = w;
  if (auto c = cli_range(services.critical, "-c", Figure::seconds)) t.ping_critical = c;
  return o;
}

CheckInfo appservice_check_info() {
  return CheckInfo{"appservice",
                   "per appservice: homeserver -> appservice ping, Synapse's down state and pending transactions, "
                   "registration lint",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
