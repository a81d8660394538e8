// The database steps against PostgreSQL directly (the `pg.*` backend; Patroni would be
// another): checkpoint, fence, wait for replay, promote, verify, reattach. Each under the
// step's deadline; the fence hands the WAL position it read to the replay wait.
#pragma once

#include <memory>
#include <string>

#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

// What earlier steps of one run found that later ones need.
struct RunState {
  std::string fence_lsn;   // the old primary's last WAL position (shutdown checkpoint when known)
  std::string fenced_node;
};

// nullptr for a type that is not a pg.* step.
std::unique_ptr<Action> make_pg_action(const StepSpec& step, const DatabaseNode& node, const DatabaseNode& other,
                                       RunState& state);

}  // namespace hsops::failover
