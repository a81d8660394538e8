// `hsops failover follow`: the homeserver follows Patroni's leader. A long-running loop polls
// /cluster and the leader's GET /primary; when another member leads, it runs the playbook's
// `follow` operation (move the homeserver and the route, then the probe) through the same
// engine, journal and reports as a switchover, and measures the RTO: Patroni's part (last poll
// that saw the old leader to the first that saw the new one) and hsops's part (from there to
// the end of the good probe). Its state, <state_dir>/follow.json, is what the failover_follow
// check (and so the watchdog's "leader changed" and "no leader" alerts) reads.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "core/units.h"
#include "failover/leader_watch.h"
#include "failover/playbook.h"

namespace hsops::failover {

// One leader change and what following it did.
struct FollowedChange {
  LeaderChange change;
  bool ok = false;
  std::optional<double> followed_at;  // end of the good probe (unix seconds)
  std::string failed_step;            // "route.switch", or "preconditions"
  std::string error;
  std::string homeserver;             // the one the route sends clients to afterwards
  std::string run_id;
  std::string report;                 // the run's JSON report
  std::optional<double> hsops_seconds() const;
  std::optional<double> rto_seconds() const;
};

// <state_dir>/follow.json (docs/checks/failover_follow.md has the format).
struct FollowState {
  std::string deployment;
  long pid = 0;
  double updated_at = 0;
  double poll_interval_seconds = 1;
  std::string leader;                     // "" = no usable leader right now
  std::optional<double> no_leader_since;
  std::string active_homeserver;
  int changes = 0;
  std::optional<FollowedChange> last_change;
};

nlohmann::json to_json(const FollowState& state);

struct FollowOptions {
  Millis poll_interval{1000};
  Millis request_timeout{1000};                 // each REST call of a poll
  std::function<void(const std::string&)> log;  // one line per event, and the run's progress
  const std::atomic<bool>* stop = nullptr;      // set by SIGTERM/SIGINT
};

// One poll: /cluster's running leader and whether its own /primary answers 200.
LeaderObservation observe_leader(const Playbook& playbook, Millis timeout, double now);

// Runs until *stop. ErrorKind::busy when another follower holds <state_dir>/follow.lock;
// ErrorKind::config for a playbook that is not on the patroni backend.
Result<bool> follow_leader(const Playbook& playbook, const FollowOptions& options, const Clock& clock);

}  // namespace hsops::failover
