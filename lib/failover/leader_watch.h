// Watching Patroni's leader from outside, as the homeserver sees it: a leader counts only while
// its own REST API answers GET /primary with 200 (the check haproxy routes by), because after a
// kill -9 the dead leader's key stays in /cluster until its ttl expires. Pure: fed observations
// with their times, it says when the leader has changed and since when there has been none.
#pragma once

#include <optional>
#include <string>

namespace hsops::failover {

struct LeaderObservation {
  double at = 0;            // unix seconds of the poll
  std::string leader;       // the running leader in /cluster; "" = none (or /cluster unreadable)
  bool leader_answers = false;  // its GET /primary answered 200
  std::string problem;      // why there is no usable leader, for the log
};

struct LeaderChange {
  std::string from;
  std::string to;
  double last_seen_at = 0;  // the last poll that saw `from` answering as leader
  double elected_at = 0;    // the first poll that saw `to` answering as leader
  double patroni_seconds() const { return elected_at - last_seen_at; }
};

class LeaderWatch {
 public:
  // A change when a usable leader other than the known one appears. The first leader ever seen
  // is adopted, not a change: the follower does not know what moved before it ran.
  std::optional<LeaderChange> observe(const LeaderObservation& o);
  // Adopts `leader` as known without a change (a planned switchover moved the homeserver itself).
  void adopt(const std::string& leader, double at);

  const std::string& leader() const { return known_; }     // "" before the first leader
  bool leader_usable() const { return !no_leader_since_; }
  std::optional<double> no_leader_since() const { return no_leader_since_; }

 private:
  std::string known_;
  double last_seen_at_ = 0;
  std::optional<double> no_leader_since_;
};

}  // namespace hsops::failover
