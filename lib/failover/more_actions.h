// The steps that judge rather than change: pg.check_replication (refuse unless the standby
// streams within the limit), probe (the end-to-end probe through the public route: the proof
// of service) and confirm (the operator types yes; --yes skips it).
#pragma once

#include <istream>
#include <memory>
#include <ostream>

#include "core/clock.h"
#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

struct Interaction {
  bool assume_yes = false;       // --yes: timers and cron
  std::istream* in = nullptr;    // the operator's answers (stdin)
  std::ostream* out = nullptr;   // where the question goes
};

std::unique_ptr<Action> make_check_replication(const StepSpec& step, const DatabaseNode& primary, const DatabaseNode& standby,
                                               const Playbook& playbook);
std::unique_ptr<Action> make_probe(const Playbook& playbook, const Clock& clock);
std::unique_ptr<Action> make_confirm(const StepSpec& step, const Roles& roles, const Interaction& interaction);

}  // namespace hsops::failover
