// A step's command (argv, no shell) run to completion under the step's deadline, its failure
// named with the command and what it said last.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "failover/engine.h"
#include "failover/playbook.h"

namespace hsops::failover {

Result<ActionResult> run_argv(const std::vector<std::string>& argv, std::chrono::steady_clock::time_point deadline);
// `systemctl VERB UNIT` for a systemd control, else its command.
std::vector<std::string> control_argv(const Control& control, const char* verb);
// Runs a control's stop or start under its own `deadline:` (docs/failover.md), within the
// step's: the earlier of the two ends it.
Result<ActionResult> run_control(const Control& control, const char* verb, std::chrono::steady_clock::time_point deadline);
// Time left until the deadline, at least 1 ms.
Millis left(std::chrono::steady_clock::time_point deadline);

}  // namespace hsops::failover
