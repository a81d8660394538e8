// `hsops check failover_follow`: is `hsops failover follow` alive, does Patroni have a leader,
// and did the homeserver follow the last leader change? Reads the state file the follower
// writes. See docs/checks/failover_follow.md.
#pragma once

#include "checks/check_info.h"
#include "checks/failover_follow/options.h"

namespace hsops::checks {

CheckInfo failover_follow_check_info();

// Reads checks.failover_follow (and -w/-c from services); ConfigError on bad values. Exposed
// for tests.
failover_follow::Options read_failover_follow_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
