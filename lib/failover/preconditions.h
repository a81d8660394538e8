// Whether an operation may start, from the observed state: a switchover needs a streaming
// standby within switchover_max_lag; a promotion refuses above maximum_lag_on_failover unless
// forced and says how much may be lost; a split brain or no primary stops everything.
#pragma once

#include <string>
#include <vector>

#include "failover/playbook.h"
#include "failover/topology_state.h"

namespace hsops::failover {

struct Preconditions {
  std::vector<std::string> refusals;  // empty: the operation may start
  std::vector<std::string> warnings;  // shown, not blocking (e.g. what --force risks)
};

Preconditions check_preconditions(const std::string& operation, const Playbook& playbook, const TopologyState& state,
                                  bool force);

}  // namespace hsops::failover
