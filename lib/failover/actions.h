// The actions behind step types: what a step does to a server, a route or the operator. The
// engine (engine.h) runs them; this factory builds one for a step and the run's roles.
// Implemented so far: homeserver.stop/start, route.switch, exec, wait. The pg.*, probe and
// confirm actions come next; a step without an action fails the run before it acts.
#pragma once

#include <memory>

#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

std::unique_ptr<Action> make_action(const StepSpec& step, const Roles& roles, const Playbook& playbook);

}  // namespace hsops::failover
