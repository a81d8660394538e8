// One canary round through one bridge: a uniquely tagged message on each side, both
// directions in flight at once, each timed and judged on its own. The outage had one direction
// wedged for hours while the other looked fine; a one-way check would have missed it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/bridge/options.h"
#include "checks/bridge/traffic.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::bridge {

struct Direction {
  std::optional<double> latency_seconds;  // set when delivered
  std::string error;                      // why not (timeout, send failed, ...)
};

struct CanaryOutcome {
  std::string bridge;
  std::optional<std::string> setup_error;  // login/join/connect failed: no direction measured
  Direction matrix_to_remote;
  Direction remote_to_matrix;
  std::optional<Traffic> traffic;  // the passive view, when configured
  std::string traffic_error;
};

CanaryOutcome run_canary(const BridgeTarget& target, const Options& options, const Clock& clock);

// Pure: outcomes -> result (unit-tested).
CheckResult build_bridge_result(const std::vector<CanaryOutcome>& outcomes, const Options& options);

// "hsops-canary-<unix ms>-<random>": unique per run and direction.
std::string make_tag(const Clock& clock, const char* direction);

std::shared_ptr<Check> make_bridge_check(Options options, const Clock& clock);

}  // namespace hsops::checks::bridge
