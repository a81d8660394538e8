#include "alerting/notifiers/pagerduty.h"

#include "alerting/notifiers/rfc3339.h"

namespace hsops::alerting {
namespace {

constexpr std::size_t kMaxDedupKey = 255;   // PagerDuty's limit
constexpr std::size_t kMaxSummary = 1024;   // PagerDuty's limit for payload.summary

std::string event_action(Event event) {
  switch (event) {
    case Event::resolved: return "resolve";
    case Event::acked: return "acknowledge";
    default: return "trigger";  // firing, repeat, escalated: the same open incident
  }
}

// PagerDuty's severities are critical | error | warning | info; "cannot tell" pages as error.
std::string pagerduty_severity(Severity s) {
  switch (s) {
    case Severity::critical: return "critical";
    case Severity::warning: return "warning";
    default: return "error";
  }
}

std::string summary_of(const Alert& a) {
  std::string s = "[" + std::string(to_string(a.severity)) + "] " + a.check + ": " + a.summary;
  if (s.size() > kMaxSummary) s = s.substr(0, kMaxSummary - 3) + "...";
  return s;
}

// PagerDuty's own words from an error body ({"status","message","errors":[...]}), if any.
std::string pagerduty_message(const std::string& body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return body.size() <= 200 ? body : body.substr(0, 200);
  std::string out = j.value("message", std::string());
  if (j.contains("errors") && j["errors"].is_array()) {
    for (const auto& e : j["errors"]) {
      if (e.is_string()) out += (out.empty() ? "" : "; ") + e.get<std::string>();
    }
  }
  return out;
}

}  // namespace

std::string pagerduty_dedup_key(const Alert& alert) {
  std::string key = "hsops/" + alert.fingerprint;
  if (key.size() > kMaxDedupKey) key = key.substr(0, kMaxDedupKey - 7) + "/" + short_id(alert.fingerprint);
  return key;
}

nlohmann::json pagerduty_event(const Notification& n, const PagerDutyOptions& o) {
  const Alert& a = n.alert;
  nlohmann::json event{{"routing_key", o.routing_key},
                       {"event_action", event_action(n.event)},
                       {"dedup_key", pagerduty_dedup_key(a)}};
  if (n.event == Event::resolved || n.event == Event::acked) return event;  // no payload needed
  nlohmann::json details{{"check", a.check}, {"alert_id", a.id}, {"tier", n.tier}, {"event", to_string(n.event)}};
  for (const auto& [k, v] : a.labels) details["labels"][k] = v;
  event["payload"] = {{"summary", summary_of(a)},
                      {"source", o.source},
                      {"severity", pagerduty_severity(a.severity)},
                      {"timestamp", rfc3339_utc(a.fired_at)},
                      {"component", a.check},
                      {"group", "hsops"},
                      {"custom_details", details}};
  event["client"] = "hsops-watchdog";
  if (!o.runbook_base_url.empty()) {
    event["links"] = nlohmann::json::array({{{"href", o.runbook_base_url + a.check + ".md"}, {"text", "runbook"}}});
  }
  return event;
}

Result<Delivered> send_pagerduty(const Notification& n, const PagerDutyOptions& o) {
  net::Request r;
  r.method = "POST";
  r.url = o.url;
  r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  r.body = pagerduty_event(n, o).dump();
  r.deadlines = o.deadlines;
  r.ca_file = o.ca_file;
  // Retrying is safe: the same dedup_key lands on the same incident.
  r.retry.attempts = o.attempts;
  r.retry.on_5xx = true;
  r.max_body_bytes = 64 * 1024;
  auto res = net::perform(r);
  const std::string where = "PagerDuty " + net::redact_url(o.url);
  if (!res) return Error{res.error().kind, where + ": " + res.error().message};
  if (res->status == 202) return Delivered{res->status, res->attempts, pagerduty_dedup_key(n.alert)};
  std::string problem = res->status == 429 ? "rate limited (HTTP 429): retry in minutes"
                        : res->status == 400 ? "refused the event as invalid (HTTP 400), not retried"
                                             : "answered HTTP " + std::to_string(res->status);
  const std::string said = pagerduty_message(res->body);
  return Error{res->status >= 500 ? ErrorKind::http_5xx : ErrorKind::http_4xx,
               where + " " + problem + (said.empty() ? "" : ": " + said)};
}

}  // namespace hsops::alerting
