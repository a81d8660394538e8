#include "checks/bridge/config.h"

#include <algorithm>

#include "checks/bridge/canary.h"
#include "checks/common/homeserver_options.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until a bridge is listed
# The homeserver's client API (the Matrix side of every canary).
# homeserver_url: https://matrix.example.org
# Plain http:// is refused except on loopback unless this is set (the access token
# would cross the network in clear).
# allow_plain_http: false
# Per direction: a message not seen on the other side within this is CRITICAL for that
# direction. Both directions run at once.
# direction_timeout: 8s
# Nagios ranges on each direction's latency in seconds (-w/-c override).
# warning: 5
# critical: ~
# bridges:
#   - name: libera              # the `bridge` metric label
#     room_id: '!portal:example.org'
#     user: '@hsops-canary:example.org'
#     password_file: /etc/hsops/canary.password     # or access_token_file / _env
#     remote:
#       type: irc               # built in: IRC client over TCP or TLS
#       host: irc.example.net
#       tls: true               # certificate and name always verified (default false)
#       port: 6697              # default 6697 with tls, else 6667
#       # ca_file: /etc/hsops/irc-ca.pem   # CA besides the system store (default http.ca_file)
#       channel: '#bridged'
#       nick: hsops-canary
#   - name: other
#     room_id: '!other:example.org'
#     user: '@hsops-canary:example.org'
#     password_file: /etc/hsops/canary.password
#     remote:
#       type: exec              # any network: commands run with the direction's deadline
#       send: [/usr/local/bin/canary-send]   # canary text on stdin; exit 0 when posted
#       wait: [/usr/local/bin/canary-wait]   # HSOPS_CANARY_TAG in env; exit 0 when seen
#     # Passive view (needs database below): the appservice's user namespace regex.
#     user_regex: '^@_irc_.*:example\.org$'
# Passive view between canary runs, from Synapse's database (read-only; SELECT on events and
# local_current_membership): messages per direction over traffic_window. Once the busier
# direction carried at least min_messages, the other is WARNING when it is silent or carried
# fewer than min_ratio x as many (0 = judge total silence only). Set min_ratio below the
# quietest share the bridge normally has (canary runs add one message each way).
# database:
#   conninfo: "host=db1 port=5432 user=hsops_synapse_ro dbname=synapse"
#   password_file: /etc/hsops/synapse-ro.password
# traffic_window: 1h
# min_messages: 5
# min_ratio: 0.05
)";

constexpr std::string_view kThresholdHelp = "-w/-c: Nagios ranges on each direction's canary latency, in seconds or with a unit (-w 10s -c 1m).";

bridge::BridgeTarget read_target(const config::Section& s, const std::string& ca_file) {
  bridge::BridgeTarget t;
  t.name = s.string("name", "");
  if (t.name.empty()) s.fail("name", "each bridge needs a name (the metric label)");
  t.room_id = s.string("room_id", "");
  if (t.room_id.empty() || t.room_id.front() != '!') s.fail("room_id", "needs the portal room's ID ('!...:server')");
  t.user_id = s.string("user", "");
  if (t.user_id.size() < 4 || t.user_id.front() != '@') s.fail("user", "needs the Matrix canary's full ID");
  t.password = s.secret("password");
  t.access_token = s.secret("access_token");
  if (!t.password && !t.access_token) s.fail("user", "set password_file/_env or access_token_file/_env for the canary");
  const config::Section r = s.child("remote");
  const std::string type = r.string("type", "");
  if (type == "irc") {
    bridge::IrcRemote irc;
    irc.host = r.string("host", "");
    irc.tls = r.boolean("tls", false);
    irc.port = static_cast<int>(r.integer_in("port", irc.tls ? 6697 : 6667, 1, 65535));
    irc.ca_file = r.string("ca_file", ca_file);
    if (!irc.tls && r.has("ca_file")) r.fail("ca_file", "ca_file is for TLS: set tls: true");
    irc.channel = r.string("channel", "");
    irc.nick = r.string("nick", "hsops-canary");
    if (irc.host.empty()) r.fail("host", "the IRC server's host name");
    if (irc.channel.empty() || (irc.channel.front() != '#' && irc.channel.front() != '&')) r.fail("channel", "an IRC channel such as '#bridged'");
    t.irc = irc;
  } else if (type == "exec") {
    bridge::ExecRemote e;
    e.send = r.strings("send", {});
    e.wait = r.strings("wait", {});
    if (e.send.empty()) r.fail("send", "the command that posts the canary text (given on stdin)");
    if (e.wait.empty()) r.fail("wait", "the command that waits for HSOPS_CANARY_TAG");
    t.exec = e;
  } else {
    r.fail("type", "remote.type must be irc or exec");
  }
  r.reject_unknown_keys();
  t.user_regex = s.string("user_regex", "");
  s.reject_unknown_keys();
  return t;
}

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return bridge::make_bridge_check(read_bridge_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_bridge_options(section, services); }

}  // namespace

bridge::Options read_bridge_options(const config::Section& s, const Services& services) {
  bridge::Options o;
  o.homeserver_url = read_homeserver_url(s, "bridge");
  for (const auto& b : s.list("bridges")) o.bridges.push_back(read_target(b, services.global.ca_file));
  if (o.bridges.empty()) s.fail("bridges", "list at least one bridge (portal room, canary account, remote side)");
  const Millis budget = services.timeout.value_or(services.global.request_timeout);
  // Set-up and the two (concurrent) directions must fit the runner's backstop (1.5 x budget).
  o.direction_timeout = s.positive_duration("direction_timeout", std::min(Millis(8000), budget * 6 / 10));
  o.deadlines = {services.global.connect_timeout, std::min(services.global.request_timeout, budget)};
  o.ca_file = services.global.ca_file;
  o.warning = s.range("warning", o.warning);
  o.critical = s.range("critical", o.critical);
  o.database = read_synapse_database(s, services);
  o.traffic_window = std::chrono::duration_cast<std::chrono::seconds>(s.positive_duration("traffic_window", Millis(3600 * 1000)));
  o.traffic_limits.min_messages = s.integer("min_messages", o.traffic_limits.min_messages);
  if (o.traffic_limits.min_messages < 1) s.fail("min_messages", "must be at least 1");
  o.traffic_limits.min_ratio = s.number("min_ratio", o.traffic_limits.min_ratio);
  if (!(o.traffic_limits.min_ratio >= 0 && o.traffic_limits.min_ratio <= 1)) {
    s.fail("min_ratio", "must be between 0 (only total silence is judged) and 1");
  }
  s.reject_unknown_keys();
  if (auto w = cli_range(services.warning, "-w", Figure::seconds)) o.warning = w;
  if (auto c = cli_range(services.critical, "-c", Figure::seconds)) o.critical = c;
  return o;
}

namespace bridge {
namespace {
class BridgeCheck final : public Check {
 public:
  BridgeCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "bridge"; }
  CheckResult run() override {
    std::vector<CanaryOutcome> outcomes;
    for (const auto& t : options_.bridges) {
      outcomes.push_back(run_canary(t, options_, clock_));
      // After the canary, so its own messages count as the traffic they are.
      if (options_.database && !t.user_regex.empty()) {
        auto traffic = read_traffic({*options_.database, t.user_regex, options_.traffic_window});
        if (traffic) outcomes.back().traffic = traffic.value();
        else outcomes.back().traffic_error = "passive view: " + traffic.error().message;
      }
    }
    return build_bridge_result(outcomes, options_);
  }

 private:
  Options options_;
  const Clock& clock_;
};
}  // namespace

std::shared_ptr<Check> make_bridge_check(Options options, const Clock& clock) {
  return std::make_shared<BridgeCheck>(std::move(options), clock);
}
}  // namespace bridge

CheckInfo bridge_check_info() {
  return CheckInfo{"bridge", "two-way canary through each bridge: Matrix -> remote and remote -> Matrix, each timed and judged on its own",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
