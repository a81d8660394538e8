// Turns one probe run (phase timings, or the phase that failed and why) into a CheckResult.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/probe/options.h"
#include "core/check.h"
#include "core/result.h"

namespace hsops::checks::probe {

struct RunRecord {
  std::map<std::string, double> seconds;  // completed phases (kPhases), "total" on success
  std::optional<std::string> failed_phase;
  Error error;                            // set when failed_phase is
  std::vector<std::string> details;
  std::optional<double> last_success;     // Unix seconds, from the state file or this run
  int rate_limited = 0;                   // 429 answers seen
};

CheckResult build_probe_result(const RunRecord& run, const Options& options);

}  // namespace hsops::checks::probe
