// One page the notifier tests send: replication's standby db2 is not connected (CRITICAL).
#pragma once

#include <chrono>

#include "alerting/notification.h"

namespace hsops::test {

inline alerting::Notification replication_page(alerting::Event event, std::string summary = "standby db2 not connected") {
  alerting::Alert a;
  a.check = "replication";
  a.labels = {{"standby", "db2"}};
  a.fingerprint = alerting::fingerprint_of(a.check, a.labels);
  a.id = alerting::short_id(a.fingerprint);
  a.severity = alerting::Severity::critical;
  a.summary = std::move(summary);
  a.fired_at = std::chrono::system_clock::now() - std::chrono::minutes(2);
  return alerting::Notification{event, a, 1, {"pager"}};
}

}  // namespace hsops::test
