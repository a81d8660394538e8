// Recovery time of a failover run, from its step report: each switch is an outage that starts
// when the first step stops writes (homeserver.stop or pg.fence) and ends when the next probe
// through the public route succeeds. A drill has two: there and back.
#pragma once

#include <vector>

#include "failover/engine.h"

namespace hsops::failover {

// Seconds of each outage in order; one that never saw a successful probe is left out.
std::vector<double> outage_seconds(const RunReport& report);

}  // namespace hsops::failover
