// The failover_follow check's verdict: is `hsops failover follow` alive, does Patroni have a
// leader, and did the homeserver follow the last leader change? The outage this exists for:
// Patroni moved the database and nothing moved the homeserver after it.
// Pure: no I/O, so every boundary is a unit test.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace hsops::checks::failover_follow {

// follow.json's last_change: one leader change the follower acted on.
struct Change {
  std::optional<std::string> from;                  // nullopt: leader unknown when the follower started
  std::string to;
  std::optional<double> leader_last_seen_at;        // last poll that saw the old leader (unix seconds)
  double leader_elected_at = 0;                     // first poll that saw the new leader
  std::optional<double> followed_at;                // first good probe after moving; nullopt: failed
  bool ok = false;
  std::string failed_step;                          // e.g. "route.switch" when !ok
  std::string error;                                // that step's error, one line
  std::optional<double> patroni_seconds;            // elected_at - last_seen_at
  std::optional<double> hsops_seconds;              // followed_at - elected_at
  std::optional<double> rto_seconds;                // followed_at - last_seen_at
  std::string run_id;
  std::string report;                               // the run's report file
};

// <state_dir>/follow.json as `hsops failover follow` writes it (version 1).
struct FollowState {
  std::string deployment;                  // the playbook's name
  long long pid = 0;
  double updated_at = 0;                   // the follower's heartbeat (unix seconds)
  double poll_interval_seconds = 0;
  std::optional<std::string> leader;       // nullopt: no leader in Patroni's /cluster now
  std::optional<double> no_leader_since;   // first poll that saw no leader
  std::string active_homeserver;
  long long changes = 0;                   // leader changes followed since the follower started
  std::optional<Change> last_change;
};

// What the state directory holds. `problem` is set when the file exists but cannot be read,
// parsed or is of another version: then nothing else is judged.
struct Follow {
  std::filesystem::path file;              // <state_dir>/follow.json, for messages
  std::optional<FollowState> state;        // nullopt with no problem: the file does not exist
  std::string problem;
};

struct Thresholds {
  std::chrono::seconds stale_after{60};     // heartbeat older than this: the follower is down
  std::chrono::seconds changed_window{900}; // a successful change younger than this: WARNING
};

// The distinct conditions the check reports; each is its own watchdog alert.
enum class Condition { follower_down, no_leader, follow_failed, leader_changed };
const char* to_string(Condition c);  // "follower_down", ...

struct Finding {
  Condition condition;
  Status status;
  std::string reason;
};

struct Verdict {
  Status status = Status::ok;
  std::vector<Finding> findings;  // the worst first; empty when OK or UNKNOWN
  std::vector<std::string> reasons;  // every finding's reason (or the UNKNOWN one); empty when OK
};

// The heartbeat is stale: older than stale_after at `now`.
bool heartbeat_stale(const FollowState& s, double now, const Thresholds& t);

// `now`: unix seconds from the check's clock.
Verdict judge(const Follow& follow, double now, const Thresholds& t);

// "pg1 -> pg2" ("? -> pg2" when the old leader was unknown).
std::string change_text(const Change& c);

}  // namespace hsops::checks::failover_follow
