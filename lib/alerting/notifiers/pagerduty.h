// PagerDuty Events API v2 (https://events.pagerduty.com/v2/enqueue): a firing alert and its
// repeats/escalations are `trigger`, an ack `acknowledge`, the resolution `resolve`, all with one
// dedup_key per alert so PagerDuty folds them into a single incident. The pager that still works
// when the homeserver (and so the Matrix room) is the thing that is down.
#pragma once

#include <string>

#include "alerting/notification.h"
#include "core/result.h"
#include "net/http.h"
#include <nlohmann/json.hpp>

namespace hsops::alerting {

struct PagerDutyOptions {
  std::string url = "https://events.pagerduty.com/v2/enqueue";
  std::string routing_key;          // the integration key: from a file or the environment only
  std::string source;               // payload.source: this host's name
  std::string runbook_base_url;     // "" or e.g. https://git.example.org/ops/runbooks/ (+ <check>.md)
  net::Deadlines deadlines{std::chrono::milliseconds(3000), std::chrono::milliseconds(10000)};
  int attempts = 3;                 // network errors and 5xx; a 429 is left to the caller's backoff
  std::string ca_file;
};

struct Delivered {
  long status = 0;   // 202
  int attempts = 1;
  std::string dedup_key;
};

// The event body for one notification (the routing key included: it is the body's field).
nlohmann::json pagerduty_event(const Notification& notification, const PagerDutyOptions& options);

// "hsops/" + the alert's fingerprint, hashed down when longer than PagerDuty's 255 characters.
std::string pagerduty_dedup_key(const Alert& alert);

// Sends one event. 202 is delivered; 400 (the event is invalid: never retried), 429 (rate
// limited: retry in minutes) and failures after the retries are errors naming the status and
// PagerDuty's own message. The routing key never appears in an error.
Result<Delivered> send_pagerduty(const Notification& notification, const PagerDutyOptions& options);

}  // namespace hsops::alerting
