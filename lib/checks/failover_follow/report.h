// Turns follow.json into the failover_follow check's CheckResult: the summary ("leader pg2,
// homeserver hs2; ..."), the hsops_failover_follow_* measurements, one alert indicator per
// condition (so the watchdog raises "follower down", "no leader", "follow failed" and "leader
// changed" as distinct alerts) and details.
#pragma once

#include "checks/common/deployment.h"
#include "checks/failover_follow/verdict.h"
#include "core/check.h"
#include "core/result.h"

namespace hsops::checks::failover_follow {

struct Report {
  Deployment deployment;  // name may be "" (state_dir given directly)
  Follow follow;
  Thresholds thresholds;
  double now = 0;         // unix seconds
};

CheckResult build_result(const Report& report);

// The check's result when the playbook cannot be read: UNKNOWN, nothing measured.
CheckResult unreadable_playbook(const Error& error);

}  // namespace hsops::checks::failover_follow
