#include "alerting/notifiers/alertmanager.h"

#include "alerting/notifiers/rfc3339.h"

namespace hsops::alerting {

nlohmann::json alertmanager_alerts(const Notification& n, const AlertmanagerOptions& o, TimePoint now) {
  const Alert& a = n.alert;
  nlohmann::json labels = {{"alertname", "HsopsCheck"}, {"check", a.check}, {"severity", to_string(a.severity)}};
  if (!o.instance.empty()) labels["instance"] = o.instance;
  for (const auto& [k, v] : a.labels) {
    if (!labels.contains(k)) labels[k] = v;  // never let a check's label replace ours
  }
  nlohmann::json annotations = {{"summary", a.check + ": " + a.summary}, {"hsops_alert_id", a.id}};
  if (!o.runbook_base_url.empty()) annotations["runbook_url"] = o.runbook_base_url + a.check + ".md";
  const TimePoint ends = n.event == Event::resolved ? now : now + o.valid_for;
  return nlohmann::json::array({{{"labels", labels},
                                 {"annotations", annotations},
                                 {"startsAt", rfc3339_utc(a.fired_at)},
                                 {"endsAt", rfc3339_utc(ends)},
                                 {"generatorURL", ""}}});
}

Result<long> send_alertmanager(const Notification& n, const AlertmanagerOptions& o, TimePoint now) {
  net::Request r;
  r.method = "POST";
  r.url = o.url + "/api/v2/alerts";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = alertmanager_alerts(n, o, now).dump();
  r.deadlines = o.deadlines;
  r.ca_file = o.ca_file;
  r.retry.attempts = o.attempts;  // the same labels update the same alert: safe to repeat
  r.retry.on_5xx = true;
  r.max_body_bytes = 64 * 1024;
  auto res = net::perform(r);
  const std::string where = "Alertmanager " + net::redact_url(o.url);
  if (!res) return Error{res.error().kind, where + ": " + res.error().message};
  if (res->status / 100 == 2) return res->status;
  return Error{res->status >= 500 ? ErrorKind::http_5xx : ErrorKind::http_4xx,
               where + " answered HTTP " + std::to_string(res->status) +
                   (res->body.size() <= 300 ? ": " + res->body : std::string())};
}

}  // namespace hsops::alerting
