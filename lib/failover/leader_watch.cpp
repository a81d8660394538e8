#include "failover/leader_watch.h"

namespace hsops::failover {

std::optional<LeaderChange> LeaderWatch::observe(const LeaderObservation& o) {
  const bool usable = !o.leader.empty() && o.leader_answers;
  if (!usable) {
    // A start without a leader counts as "none since the start", so the alert still fires.
    if (!no_leader_since_) no_leader_since_ = o.at;
    return std::nullopt;
  }
  // The first leader ever seen is adopted: with nothing known before it, whether it moved
  // (and so whether the homeserver must) cannot be told.
  if (known_.empty()) {
    adopt(o.leader, o.at);
    return std::nullopt;
  }
  if (o.leader == known_) {
    no_leader_since_.reset();
    last_seen_at_ = o.at;
    return std::nullopt;
  }
  LeaderChange change{known_, o.leader, last_seen_at_, o.at};
  adopt(o.leader, o.at);
  return change;
}

void LeaderWatch::adopt(const std::string& leader, double at) {
  known_ = leader;
  last_seen_at_ = at;
  no_leader_since_.reset();
}

}  // namespace hsops::failover
