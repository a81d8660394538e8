// `hsops check bridge`: a two-way canary through each bridge (Matrix canary account in the
// portal room, a remote account in the bridged channel), each direction timed and judged on
// its own. See docs/checks/bridge.md.
#pragma once

#include "checks/bridge/options.h"
#include "checks/check_info.h"

namespace hsops::checks {

CheckInfo bridge_check_info();

// Reads checks.bridge (and -w/-c/-t from services); ConfigError on bad values. Exposed for tests.
bridge::Options read_bridge_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
