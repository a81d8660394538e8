// `hsops check failover_drill`: did the weekly failover drill run, succeed, and within the RTO
// budget? Reads the reports `hsops failover drill` writes. See docs/checks/failover_drill.md.
#pragma once

#include "checks/check_info.h"
#include "checks/failover_drill/options.h"

namespace hsops::checks {

CheckInfo failover_drill_check_info();

// Reads checks.failover_drill (and -w/-c from services); ConfigError on bad values. Exposed
// for tests.
failover_drill::Options read_failover_drill_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
