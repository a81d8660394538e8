// The patroni.* steps: patroni.check (refuse unless the cluster is fit for a switchover) and
// patroni.switchover (Patroni moves the leader; hsops asks and watches /cluster). Neither
// touches PostgreSQL: Patroni fences, waits for the candidate and promotes.
#pragma once

#include <memory>

#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

// `leader` is the current leader, `candidate` the member that is to lead; nullptr for a type
// that is not a patroni.* step.
std::unique_ptr<Action> make_patroni_action(const StepSpec& step, const Playbook& playbook, const std::string& leader,
                                            const std::string& candidate);

}  // namespace hsops::failover
