#include "alerting/notifiers/webhook.h"

#include "alerting/notifiers/alertmanager.h"

namespace hsops::alerting {

nlohmann::json webhook_payload(const Notification& n, const WebhookOptions& o, TimePoint now) {
  AlertmanagerOptions am;
  am.instance = o.instance;
  am.runbook_base_url = o.runbook_base_url;
  nlohmann::json alert = alertmanager_alerts(n, am, now)[0];
  const std::string status = n.event == Event::resolved ? "resolved" : "firing";
  alert["status"] = status;
  alert["fingerprint"] = n.alert.id;
  // Alertmanager sends a firing alert with the zero time as endsAt.
  if (status == "firing") alert["endsAt"] = "0001-01-01T00:00:00Z";
  return {{"version", "4"},
          {"groupKey", "{}:{alertname=\"HsopsCheck\",hsops_alert=\"" + n.alert.fingerprint + "\"}"},
          {"truncatedAlerts", 0},
          {"status", status},
          {"receiver", "hsops"},
          {"groupLabels", {{"alertname", "HsopsCheck"}}},
          {"commonLabels", alert["labels"]},
          {"commonAnnotations", alert["annotations"]},
          {"externalURL", ""},
          {"hsops_event", to_string(n.event)},
          {"hsops_tier", n.tier},
          {"alerts", nlohmann::json::array({alert})}};
}

Result<long> send_webhook(const Notification& n, const WebhookOptions& o, TimePoint now) {
  net::Request r;
  r.method = "POST";
  r.url = o.url;
  r.headers = {{"Content-Type", "application/json"}};
  if (!o.bearer_token.empty()) r.headers.emplace_back("Authorization", "Bearer " + o.bearer_token);
  r.body = webhook_payload(n, o, now).dump();
  r.deadlines = o.deadlines;
  r.ca_file = o.ca_file;
  r.max_body_bytes = 64 * 1024;
  auto res = net::perform(r);
  const std::string where = "webhook " + net::redact_url(o.url);
  if (!res) return Error{res.error().kind, where + ": " + res.error().message};
  if (res->status / 100 == 2) return res->status;
  return Error{res->status >= 500 ? ErrorKind::http_5xx : ErrorKind::http_4xx,
               where + " answered HTTP " + std::to_string(res->status)};
}

}  // namespace hsops::alerting
