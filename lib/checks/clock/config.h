// `hsops check clock`: how far this host's clock is from NTP servers (SNTP, best of several
// samples), whether the kernel thinks it is disciplined (adjtimex), and optionally a cross-check
// against HTTP servers' Date headers. Why: a VM live-migration froze the homeserver 9 minutes
// and left its clock 9 minutes off; federation signatures, token expiry and event timestamps
// all went wrong while every other check stayed green.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checks/clock/http.h"
#include "checks/clock/options.h"
#include "checks/clock/kernel.h"
#include "checks/clock/sources.h"
#include "checks/clock/verdict.h"
#include "checks/check_info.h"
#include "net/sntp.h"

namespace hsops::checks {

// The probes the check uses; tests replace them.
struct ClockProbes {
  std::function<Result<net::SntpSample>(const std::string& server, const net::SntpOptions& options)> sntp;
  KernelClockReader kernel;
  HttpFetch http;
};
ClockProbes real_clock_probes(const Clock& clock);

// Reads checks.clock (ConfigError on bad values); -w/-c/-t from services override.
ClockSettings read_clock_settings(const config::Section& section, const Services& services,
                                  const TimeDaemonConfigs& daemon_configs = {});

std::shared_ptr<Check> make_clock_check(ClockSettings settings, ClockProbes probes, const Clock& clock);

CheckInfo clock_check_info();

}  // namespace hsops::checks
