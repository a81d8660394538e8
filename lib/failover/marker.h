// The drill's marker message: written through the public route before anything moves, and
// read back through it after each switch, so a drill proves that what users wrote before the
// switch is still there (not only that a new message goes through). The marker's room and
// event are kept in <state_dir>/drill-marker.json, so a resumed run still finds them.
#pragma once

#include <memory>

#include "core/clock.h"
#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

std::unique_ptr<Action> make_marker_write(const Playbook& playbook, const Clock& clock);
std::unique_ptr<Action> make_marker_check(const Playbook& playbook, const Clock& clock);

}  // namespace hsops::failover
