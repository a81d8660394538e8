// Turns what the state directory holds into the failover_drill check's CheckResult: the
// summary ("last drill 2 d ago ok, RTO 41 s"), the hsops_failover_* measurements and details.
#pragma once

#include "checks/failover_drill/records.h"
#include "checks/failover_drill/verdict.h"
#include "core/check.h"

namespace hsops::checks::failover_drill {

struct Report {
  Deployment deployment;  // name may be "" (state_dir given, no report names it)
  Drills drills;
  Thresholds thresholds;
  double now = 0;         // unix seconds
};

CheckResult build_result(const Report& report);

// The check's result when the playbook cannot be read: UNKNOWN, nothing measured.
CheckResult unreadable_playbook(const Error& error);

}  // namespace hsops::checks::failover_drill
