#include "watchdog/config.h"

#include <algorithm>
#include <unistd.h>

#include "checks/common/homeserver_options.h"

namespace hsops::watchdog {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool known(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

seconds non_negative_seconds(const config::Section& s, std::string_view key, seconds fallback) {
  const auto d = s.duration(key, fallback);
  if (d.count() < 0) s.fail(key, "must not be negative");
  return duration_cast<seconds>(d);
}

std::string http_url(const config::Section& s, std::string_view key) {
  const auto url = s.string(key, "");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    s.fail(key, "is required: an http:// or https:// URL");
  }
  return url.back() == '/' ? url.substr(0, url.size() - 1) : url;
}

void read_listen(const config::Section& w, WatchdogConfig& c) {
  c.listen = w.string("listen", c.listen);
  const auto colon = c.listen.rfind(':');
  const std::string port = colon == std::string::npos ? "" : c.listen.substr(colon + 1);
  const bool digits = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit);
  if (colon == 0 || !digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    w.fail("listen", "must be HOST:PORT, e.g. 127.0.0.1:9187 (the port between 1 and 65535)");
  }
}

// Opt-in: a command run for the check's alert (docs/watchdog.md, Remedies).
RemedySpec read_remedy(const config::Section& r) {
  RemedySpec spec;
  spec.command = r.strings("command", {});
  if (spec.command.empty() || spec.command.front().empty() || spec.command.front().front() != '/') {
    r.fail("command", "is required: a list whose first item is an absolute path, e.g. "
                      "[/usr/bin/systemctl, restart, matrix-synapse] (no shell)");
  }
  spec.after = non_negative_seconds(r, "after", spec.after);
  spec.max_per_hour = static_cast<int>(r.integer_in("max_per_hour", spec.max_per_hour, 1, 60));
  spec.timeout = r.positive_duration("timeout", spec.timeout);
  r.reject_unknown_keys();
  return spec;
}

void read_checks(const config::Section& w, const std::vector<std::string>& known_checks, WatchdogConfig& c) {
  const auto checks = w.child("checks");
  for (const auto& name : checks.keys()) {
    if (!known(known_checks, name)) checks.fail(name, "is not a check hsops knows (" + joined(known_checks) + ")");
    const auto s = checks.child(name);
    c.interval_by_check[name] = s.positive_duration("interval", interval_for(c, name));
    if (s.has("for")) c.engine.for_by_check[name] = non_negative_seconds(s, "for", seconds(0));
    if (s.has("remedy")) c.remedy_by_check[name] = read_remedy(s.child("remedy"));
    s.reject_unknown_keys();
  }
}

NotifierConfig read_notifier(const config::Section& n, const std::string& name, const config::GlobalConfig& global) {
  NotifierConfig out;
  out.name = name;
  out.type = n.string("type", "");
  const net::Deadlines deadlines{global.connect_timeout, global.request_timeout};
  if (out.type == "matrix") {
    alerting::MatrixRoomOptions o;
    o.client.base_url = http_url(n, "homeserver_url");
    checks::refuse_plain_http(n, "homeserver_url", o.client.base_url);  // the access token travels there
    o.client.deadlines = deadlines;
    o.client.ca_file = global.ca_file;
    o.room_id = n.string("room_id", "");
    if (o.room_id.rfind('!', 0) != 0 || o.room_id.find(':') == std::string::npos) {
      n.fail("room_id", "is required: a room id such as !abcdef:example.org (not an alias)");
    }
    const auto token = n.secret("access_token");
    if (!token) n.fail("access_token", "set access_token_file or access_token_env (never inline)");
    o.access_token = *token;
    out.matrix = o;
  } else if (out.type == "pagerduty") {
    alerting::PagerDutyOptions o;
    o.url = n.string("url", o.url);
    const auto key = n.secret("routing_key");
    if (!key) n.fail("routing_key", "set routing_key_file or routing_key_env (the Events API v2 integration key)");
    o.routing_key = *key;
    o.source = n.string("source", host_name());
    o.runbook_base_url = n.string("runbook_base_url", "");
    o.deadlines = deadlines;
    o.ca_file = global.ca_file;
    out.pagerduty = o;
  } else if (out.type == "alertmanager") {
    alerting::AlertmanagerOptions o;
    o.url = http_url(n, "url");
    o.instance = n.string("instance", host_name());
    o.runbook_base_url = n.string("runbook_base_url", "");
    o.deadlines = deadlines;
    o.ca_file = global.ca_file;
    out.alertmanager = o;
  } else if (out.type == "webhook") {
    alerting::WebhookOptions o;
    o.url = http_url(n, "url");
    o.bearer_token = n.secret("token").value_or("");
    if (!o.bearer_token.empty()) checks::refuse_plain_http(n, "url", o.url);  // the token travels there
    o.instance = n.string("instance", host_name());
    o.runbook_base_url = n.string("runbook_base_url", "");
    o.deadlines = {global.connect_timeout, n.positive_duration("timeout", global.request_timeout)};
    o.ca_file = global.ca_file;
    out.webhook = o;
  } else if (out.type == "exec") {
    alerting::ExecOptions o;
    o.command = n.strings("command", {});
    if (o.command.empty() || o.command.front().empty() || o.command.front().front() != '/') {
      n.fail("command", "is required: a list whose first item is an absolute path, e.g. "
                        "[/usr/local/bin/send-sms, \"+15551234\"] (no shell; the page comes on stdin)");
    }
    o.timeout = n.positive_duration("timeout", o.timeout);
    out.exec = o;
  } else {
    n.fail("type", "must be matrix, pagerduty, alertmanager, webhook or exec");
  }
  n.reject_unknown_keys();
  return out;
}

std::vector<std::string> notifier_names(const WatchdogConfig& c) {
  std::vector<std::string> names;
  for (const auto& n : c.notifiers) names.push_back(n.name);
  return names;
}

alerting::Tier read_tier(const config::Section& t, const std::vector<std::string>& notifiers) {
  alerting::Tier tier;
  tier.delay = non_negative_seconds(t, "after", seconds(0));
  tier.notifiers = t.strings("notify", {});
  if (tier.notifiers.empty()) t.fail("notify", "is required: the notifiers this tier pages");
  for (const auto& name : tier.notifiers) {
    if (!known(notifiers, name)) {
      t.fail("notify", "names notifier '" + name + "', which watchdog.notifiers does not define (" + joined(notifiers) + ")");
    }
  }
  t.reject_unknown_keys();
  return tier;
}

alerting::Route read_route(const config::Section& r, std::size_t index, const std::vector<std::string>& known_checks,
                           const std::vector<std::string>& notifiers) {
  alerting::Route route;
  route.name = r.string("name", "route " + std::to_string(index + 1));
  route.check = r.optional_string("check");
  if (route.check && !known(known_checks, *route.check)) {
    r.fail("check", "is not a check hsops knows (" + joined(known_checks) + ")");
  }
  if (const auto severity = r.optional_string("severity")) {
    route.severity = alerting::severity_from_string(*severity);
    if (!route.severity) r.fail("severity", "must be warning, critical or unknown");
  }
  route.repeat_every = non_negative_seconds(r, "repeat_every", seconds(0));
  route.tiers.clear();
  for (const auto& t : r.list("tiers")) {
    route.tiers.push_back(read_tier(t, notifiers));
    if (route.tiers.size() > 1 && route.tiers.back().delay < route.tiers[route.tiers.size() - 2].delay) {
      t.fail("after", "tiers must be in order of `after` (each tier pages later than the one before)");
    }
  }
  if (route.tiers.empty()) r.fail("tiers", "is required: at least one tier, e.g. [{after: 0s, notify: [ops-room]}]");
  r.reject_unknown_keys();
  return route;
}

constexpr std::string_view kExample = R"(
# hsops-watchdog: runs the checks above continuously, pages and escalates until someone acks
# (docs/watchdog.md). Absent: these defaults, and nothing is paged.
watchdog:
  listen: 127.0.0.1:9187          # /metrics, /health, /api/v1/alerts
  # state_file: /var/lib/hsops/watchdog-state.json
  interval: 60s                   # how often each check runs
  for: 0s                         # how long a check stays non-OK before its alert fires
  critical_repeat_every: 15m      # a CRITICAL repeats until acked
  flapping:
    max_flips: 4
    window: 30m
    hold: 10m
  checks:
    disk:
      interval: 5m
    # probe:
    #   remedy:                     # opt-in: run after the alert fired unacked for `after`
    #     command: [/usr/bin/systemctl, restart, matrix-synapse]
    #     after: 5m
    #     max_per_hour: 1
    #     timeout: 60s
  # notifiers:
  #   ops-room:                   # best on another homeserver than the one monitored
  #     type: matrix
  #     homeserver_url: https://matrix.example.net
  #     room_id: "!abcdef:example.net"
  #     access_token_file: /etc/hsops/watchdog-matrix.token
  #   pager:
  #     type: pagerduty
  #     routing_key_file: /etc/hsops/pagerduty.key
  #   am:
  #     type: alertmanager
  #     url: http://127.0.0.1:9093
  #   hook:                       # the Alertmanager webhook v4 payload
  #     type: webhook
  #     url: https://hooks.example.org/hsops
  #     token_file: /etc/hsops/hook.token      # optional bearer token
  #   sms:                        # the page as JSON on stdin and in HSOPS_ALERT_* variables
  #     type: exec
  #     command: [/usr/local/bin/send-sms, "+15551234"]
  #     timeout: 30s
  # routes:
  #   - name: critical
  #     severity: critical
  #     repeat_every: 30m
  #     tiers:
  #       - {after: 0s, notify: [ops-room, am]}
  #       - {after: 10m, notify: [pager]}
  # responders: ["@alice:example.org"]   # may ack by replying "ack" in the room
  # heartbeat_url: https://hc-ping.com/your-uuid
  host_pause_threshold: 30s       # a main-loop tick this late is a host pause (VM frozen, suspend)
  # api_token_file: /etc/hsops/watchdog-api.token   # lets `hsops alerts ack/silence` in
)";

}  // namespace

std::string_view example_section() { return kExample; }

std::chrono::milliseconds interval_for(const WatchdogConfig& config, const std::string& check) {
  const auto it = config.interval_by_check.find(check);
  return it != config.interval_by_check.end() ? it->second : config.default_interval;
}

WatchdogConfig read_watchdog_config(const config::Section& root, const config::GlobalConfig& global,
                                    const std::vector<std::string>& known_checks) {
  WatchdogConfig c;
  c.state_file = global.state_dir / "watchdog-state.json";
  c.interval_by_check["disk"] = std::chrono::minutes(5);  // filesystems fill in hours, not seconds
  const auto w = root.child("watchdog");
  if (!w.present()) return c;
  read_listen(w, c);
  if (const auto f = w.optional_string("state_file")) {
    if (f->empty() || f->front() != '/') w.fail("state_file", "must be an absolute path");
    c.state_file = *f;
  }
  c.default_interval = w.positive_duration("interval", c.default_interval);
  c.engine.default_for = non_negative_seconds(w, "for", c.engine.default_for);
  c.engine.critical_repeat_every =
      duration_cast<seconds>(w.positive_duration("critical_repeat_every", c.engine.critical_repeat_every));
  const auto flap = w.child("flapping");
  c.engine.flap.max_flips = static_cast<int>(flap.integer_in("max_flips", c.engine.flap.max_flips, 1, 1000));
  c.engine.flap.window = duration_cast<seconds>(flap.positive_duration("window", c.engine.flap.window));
  c.engine.flap.hold = duration_cast<seconds>(flap.positive_duration("hold", c.engine.flap.hold));
  flap.reject_unknown_keys();
  read_checks(w, known_checks, c);
  const auto notifiers = w.child("notifiers");
  for (const auto& name : notifiers.keys()) c.notifiers.push_back(read_notifier(notifiers.child(name), name, global));
  const auto names = notifier_names(c);
  const auto routes = w.list("routes");
  for (std::size_t i = 0; i < routes.size(); ++i) c.engine.routes.push_back(read_route(routes[i], i, known_checks, names));
  // What no route matches pages every notifier at once: an alert is never paged to nobody.
  c.engine.default_route.tiers = {alerting::Tier{seconds(0), names}};
  c.responders = w.strings("responders", {});
  for (const auto& r : c.responders) {
    if (r.size() < 4 || r.front() != '@' || r.find(':') == std::string::npos) {
      w.fail("responders", "'" + r + "' is not a Matrix user id such as @alice:example.org");
    }
  }
  if (w.has("heartbeat_url")) c.heartbeat_url = http_url(w, "heartbeat_url");
  c.host_pause_threshold = w.positive_duration("host_pause_threshold", c.host_pause_threshold);
  if (c.host_pause_threshold < std::chrono::seconds(2)) {
    w.fail("host_pause_threshold", "must be at least 2s: the main loop ticks every second");
  }
  c.api_token = w.secret("api_token").value_or("");
  w.reject_unknown_keys();
  return c;
}

}  // namespace hsops::watchdog
