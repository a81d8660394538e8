// What the clock check needs, as plain values (config.cpp reads them from checks.clock).
#pragma once

#include <string>
#include <vector>

#include "checks/clock/sources.h"
#include "checks/clock/verdict.h"
#include "core/units.h"
#include "net/http.h"

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

}  // namespace hsops::checks
