// The webhook notifier: POSTs the Alertmanager webhook v4 payload, so any receiver written for
// Alertmanager (chat bridges, ticket systems, home-grown pagers) takes hsops pages unchanged.
// One alert per request; the labels and annotations are the Alertmanager notifier's.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "alerting/notification.h"
#include "core/result.h"
#include "net/http.h"

namespace hsops::alerting {

struct WebhookOptions {
  std::string url;
  std::string bearer_token;       // optional; from a file or the environment only
  std::string instance;           // the `instance` label: this host's name
  std::string runbook_base_url;   // "" or a prefix for <check>.md
  net::Deadlines deadlines{std::chrono::milliseconds(3000), std::chrono::milliseconds(10000)};
  std::string ca_file;
};

// {"version": "4", "status": "firing"|"resolved", "receiver": "hsops", "groupKey", "groupLabels",
// "commonLabels", "commonAnnotations", "externalURL", "truncatedAlerts": 0, "alerts": [one]}.
nlohmann::json webhook_payload(const Notification& notification, const WebhookOptions& options, TimePoint now);

// 2xx is delivered (the status returned); anything else an error naming the status. The token
// never appears in an error.
Result<long> send_webhook(const Notification& notification, const WebhookOptions& options, TimePoint now);

}  // namespace hsops::alerting
