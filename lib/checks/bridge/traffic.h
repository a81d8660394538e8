// The passive view of a bridge from the homeserver's database, between canary runs: messages
// in each direction over a window, and the time since the last one each way. A direction that
// is silent (or far quieter than its usual share) while the other flows is how a one-way stall
// looks in real traffic.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "checks/common/pg_target.h"
#include "core/result.h"
#include "core/status.h"

namespace hsops::checks::bridge {

struct TrafficOptions {
  PgTarget database;
  std::string user_regex;             // the appservice's user namespace, e.g. "^@_irc_.*:example\\.org$"
  std::chrono::seconds window{3600};
};

// When the passive view calls a direction too quiet (checks.bridge keys of the same names).
struct TrafficLimits {
  long min_messages = 5;   // the busier direction needs this many in the window before anything is judged
  double min_ratio = 0.05; // quieter direction below min_ratio x the busier one is WARNING (0 = only total silence)
};

struct Traffic {
  long inbound = 0;    // remote -> Matrix: senders in the namespace
  long outbound = 0;   // Matrix -> remote: other senders in rooms the namespace's users are in
  std::optional<double> inbound_age;   // seconds since the last one (within the window)
  std::optional<double> outbound_age;
};

Result<Traffic> read_traffic(const TrafficOptions& options);

// WARNING text when one direction is silent, or far quieter than min_ratio of the other, while
// the other carried at least min_messages; else "" (pure; tested).
std::string judge_traffic(const Traffic& traffic, const TrafficLimits& limits);

}  // namespace hsops::checks::bridge
