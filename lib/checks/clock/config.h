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
#include "checks/clock/kernel.h"
#include "checks/clock/sources.h"
#include "checks/clock/verdict.h"
#include "checks/check_info.h"
#include "net/sntp.h"

namespace hsops::checks {

struct ClockSettings {
  std::vector<std::string> servers;  // empty: those of the host's chrony/ntpd config, at run time
  TimeDaemonConfigs daemon_configs;  // where to look for them
  int samples = 4;                   // SNTP exchanges per server; the lowest delay wins
  Millis timeout{2000};              // per NTP server, DNS included (servers are asked in parallel)
  std::vector<std::string> http_urls;
  int http_samples = 4;
  Millis http_timeout{5000};         // all requests to one URL together
  net::Deadlines http_deadlines{};   // per request (http.connect_timeout / http.timeout)
  std::string ca_file;
  bool read_kernel = true;
  ClockThresholds thresholds;
};

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
