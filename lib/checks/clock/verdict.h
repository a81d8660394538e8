// Turning what the clock check observed into a status, a summary line, advice and
// measurements. Pure: no sockets, no clocks, so every rule is unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/clock/http.h"
#include "checks/clock/kernel.h"
#include "core/check.h"
#include "net/sntp.h"

namespace hsops::checks {

struct ServerOutcome {
  std::string server;  // as configured, e.g. "pool.ntp.org" or "127.0.0.1:12345"
  Result<net::SntpSample> sample;
};

struct HttpOutcome {
  std::string url;
  Result<HttpDateEstimate> estimate;
};

struct ClockObservations {
  std::vector<ServerOutcome> servers;
  std::optional<Result<KernelClock>> kernel;  // nullopt: not read
  std::vector<HttpOutcome> http;
  std::string servers_origin;                 // where the server list came from
};

// A threshold "|offset| > limit" as a Range ("0:limit").
Range offset_limit(double seconds);

// Defaults: WARNING above 50 ms (node-mixin's NodeClockSkewDetected), CRITICAL above 1 s.
struct ClockThresholds {
  Range warning = offset_limit(0.05);  // applied to |offset| in seconds
  Range critical = offset_limit(1.0);
  bool require_kernel_sync = true;
};

CheckResult assess(const ClockObservations& seen, const ClockThresholds& thresholds);

// "2.5 s off: a 500 ppm slew (ntpd's maximum) needs 1 h 23 min; step the clock: chronyc makestep".
std::string slew_advice(double offset_seconds);
// "+2.503 s", "-12.4 ms".
std::string format_offset(double seconds);

}  // namespace hsops::checks
