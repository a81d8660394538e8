// What the engine asks the notifiers to send. The engine itself never sends anything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerting/alert.h"

namespace hsops::alerting {

enum class Event { firing, repeat, escalated, resolved, acked };

std::string_view to_string(Event event);  // "firing", "repeat", "escalated", "resolved", "acked"

struct Notification {
  Event event;
  Alert alert;                         // a snapshot as of the event
  int tier = 0;                        // the tier this page belongs to (the highest reached)
  std::vector<std::string> notifiers;  // who gets it
};

}  // namespace hsops::alerting
