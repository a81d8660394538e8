// Alertmanager (POST /api/v2/alerts): each page becomes one Alertmanager alert whose labels
// are stable per hsops alert (alertname HsopsCheck, check, severity, instance, and what failed),
// so Alertmanager groups, routes, silences and inhibits it like any Prometheus alert. A firing
// alert carries an endsAt a little ahead (Alertmanager resolves it by itself when the re-sends
// stop: a dead watchdog does not leave a page firing forever); the resolution sends endsAt=now.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "alerting/notification.h"
#include "core/result.h"
#include "net/http.h"

namespace hsops::alerting {

struct AlertmanagerOptions {
  std::string url;                     // "http://127.0.0.1:9093" (the API path is added)
  std::string instance;                // this host's name, the `instance` label
  std::string runbook_base_url;        // "" or a prefix for <check>.md
  // How long Alertmanager keeps a firing alert without a re-send: Prometheus uses 4 resend
  // intervals; the watchdog re-sends every check interval, so a few minutes.
  std::chrono::seconds valid_for{240};
  net::Deadlines deadlines{std::chrono::milliseconds(3000), std::chrono::milliseconds(10000)};
  int attempts = 3;
  std::string ca_file;
};

// The one-element alert array for a page, as of `now`.
nlohmann::json alertmanager_alerts(const Notification& notification, const AlertmanagerOptions& options, TimePoint now);

// POSTs it; a non-2xx is an error naming the status and Alertmanager's message.
Result<long> send_alertmanager(const Notification& notification, const AlertmanagerOptions& options, TimePoint now);

}  // namespace hsops::alerting
