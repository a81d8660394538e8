// One configured notifier as the dispatcher sees it: deliver a page, and say whether a failure
// is worth retrying. Built from the `watchdog.notifiers` config; tests inject their own.
#pragma once

#include <memory>
#include <string>

#include "alerting/notification.h"
#include "core/clock.h"
#include "core/result.h"
#include "watchdog/config.h"

namespace hsops::watchdog {

// What to do after a failed delivery.
enum class Failure {
  retry,         // network, timeout, 5xx: again after the backoff
  rate_limited,  // 429 / M_LIMIT_EXCEEDED: again, not before a minute
  permanent,     // the receiver refused this page as invalid (HTTP 400): retrying cannot help
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Sends one page within the notifier's own deadlines; returns a reference for the log
  // (the Matrix event id, the PagerDuty dedup_key, the HTTP status).
  virtual Result<std::string> deliver(const alerting::Notification& notification) = 0;
  virtual Failure classify(const Error& error) const;
};

// The notifier of `config.type`. `clock` must outlive it.
std::unique_ptr<Notifier> make_notifier(const NotifierConfig& config, const Clock& clock);

}  // namespace hsops::watchdog
