// The passive view of a bridge from the homeserver's database, between canary runs: messages
// in each direction over a window, and the time since the last one each way. A direction that
// is silent while the other flows is how a one-way stall looks in real traffic.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "checks/wal_connection.h"
#include "core/result.h"
#include "core/status.h"

namespace hsops::checks::bridge {

struct TrafficOptions {
  PgTarget database;
  std::string user_regex;             // the appservice's user namespace, e.g. "^@_irc_.*:example\\.org$"
  std::chrono::seconds window{3600};
  long min_messages = 5;              // the flowing direction needs this many before silence counts
};

struct Traffic {
  long inbound = 0;    // remote -> Matrix: senders in the namespace
  long outbound = 0;   // Matrix -> remote: other senders in rooms the namespace's users are in
  std::optional<double> inbound_age;   // seconds since the last one (within the window)
  std::optional<double> outbound_age;
};

Result<Traffic> read_traffic(const TrafficOptions& options);

// WARNING text when one direction is silent while the other flows, else "" (pure; tested).
std::string judge_traffic(const Traffic& traffic, long min_messages);

}  // namespace hsops::checks::bridge
