// What each part of the network check concluded: findings with a status, detail lines,
// measurements, and what would break at the next reboot or DHCP renewal.
#pragma once

#include <string>
#include <vector>

#include "core/check.h"

namespace hsops::checks::network {

struct Finding {
  Status status = Status::unknown;
  std::string text;  // one phrase naming the thing: "route 10.8.0.0/16: missing (...)"
};

struct Findings {
  std::vector<Finding> problems;  // not OK, worst first when summarised
  std::vector<std::string> details;
  std::vector<Measurement> measurements;
  std::vector<std::string> at_next_reboot;   // "post-up at /etc/network/interfaces:12 fails ('ip' not on PATH)"
  std::vector<std::string> at_next_renewal;  // "eth0 loses 192.0.2.5 if no DHCP server answers by 19:15 UTC"

  void add(Status status, std::string text) { problems.push_back({status, std::move(text)}); }
};

// "2026-12-05 19:10:00 UTC"
std::string utc_text(double unix_seconds);

}  // namespace hsops::checks::network
