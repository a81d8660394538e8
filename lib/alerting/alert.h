// One alert as operators see it: which check, what failed, how bad, who acked, how far paged.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace hsops::alerting {

using TimePoint = std::chrono::system_clock::time_point;
using Labels = std::map<std::string, std::string>;

// UNKNOWN is its own severity ("cannot tell"), so an undecided check is never taken for OK.
enum class Severity { warning, critical, unknown };

std::string_view to_string(Severity severity);  // "warning", "critical", "unknown"
std::optional<Severity> severity_from_string(std::string_view text);
// WARNING -> warning, CRITICAL -> critical, anything else non-OK -> unknown.
Severity severity_of(Status status);

struct Ack {
  std::string who;
  TimePoint at;
  std::optional<TimePoint> until;  // an ack "for 2h" expires; none: until resolved
  std::string comment;
};

struct Alert {
  std::string fingerprint;  // "wal{slot=standby1}": check plus the labels of what failed
  std::string id;           // short hex of the fingerprint, for `hsops alerts ack 3f9a1c`
  std::string check;
  Labels labels;
  Severity severity = Severity::unknown;
  std::string summary;      // the check's own summary line
  std::string route;        // name of the route chosen when it fired
  TimePoint fired_at;
  // Tier k (1-based) is due at escalation_base + tiers[k-1].delay; an expired ack moves it.
  TimePoint escalation_base;
  int tier = 0;             // highest tier paged so far; 0: nobody paged yet
  std::optional<TimePoint> last_page;
  std::optional<Ack> ack;
  bool flapping = false;
  std::optional<TimePoint> ok_since;  // a flapping alert's check is OK again since then
};

// "check" alone, or "check{k=v,k2=v2}"; an UNKNOWN alert is "check{hsops_state=unknown}" so it
// never merges with the check's WARNING/CRITICAL alert.
std::string fingerprint_of(const std::string& check, const Labels& labels);
// Six hex digits of a fixed 64-bit FNV-1a hash: the same on every build and every restart.
std::string short_id(std::string_view fingerprint);

bool acked_at(const Alert& alert, TimePoint now);

}  // namespace hsops::alerting
