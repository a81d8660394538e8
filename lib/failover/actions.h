// The actions behind step types: what a step does to a server, a route or the operator. The
// engine (engine.h) runs them; this factory builds one for a step and the run's roles.
// Implemented so far: pg.checkpoint, pg.fence, pg.wait_replay, pg.promote, pg.verify_primary,
// pg.reattach (without pg_rewind), homeserver.stop/start, route.switch, exec, wait.
// pg.check_replication, probe and confirm come next; a step without an action fails the run
// before it acts.
#pragma once

#include <memory>

#include "failover/engine.h"
#include "failover/pg_actions.h"
#include "failover/playbook.h"

namespace hsops::failover {

// `state` carries what earlier steps of the same run found (the fence's WAL position).
std::unique_ptr<Action> make_action(const StepSpec& step, const Roles& roles, const Playbook& playbook, RunState& state);

}  // namespace hsops::failover
