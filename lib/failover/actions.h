// The actions behind step types: what a step does to a server, a route or the operator. The
// engine (engine.h) runs them; this factory builds one for a step and the run's roles.
// Every step type has one; pg.reattach runs pg_rewind first, so a diverged old primary follows too.
#pragma once

#include <memory>

#include "failover/engine.h"
#include "failover/more_actions.h"
#include "failover/pg_actions.h"
#include "failover/playbook.h"

namespace hsops::failover {

// `state` carries what earlier steps of the same run found (the fence's WAL position).
// probe needs `clock`, confirm `interaction`; without them those steps get no action.
std::unique_ptr<Action> make_action(const StepSpec& step, const Roles& roles, const Playbook& playbook, RunState& state,
                                    const Clock* clock = nullptr, const Interaction* interaction = nullptr);

}  // namespace hsops::failover
