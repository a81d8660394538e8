// Runs a set of checks side by side and folds their statuses: what `hsops check` and the
// watchdog do with the checks the registry built.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks {

struct RunResults {
  std::vector<CheckResult> results;  // in the order of the checks given
  Status overall = Status::ok;       // the worst status of all results (OK when there are none)
};

// Runs every check in parallel through run_check: a check that throws or outlives `backstop`
// becomes UNKNOWN instead of taking the others down. Takes as long as the slowest check.
RunResults run_all(const std::vector<std::shared_ptr<Check>>& checks, const Clock& clock,
                   std::chrono::milliseconds backstop);

}  // namespace hsops::checks
