// `hsops check network`: expected routes, addresses and interfaces, reachable peers, DHCP
// leases and hook scripts, before they bite at the next reboot or renewal. See
// docs/checks/network.md.
#pragma once

#include "checks/check_info.h"
#include "checks/network/options.h"

namespace hsops::checks {

CheckInfo network_check_info();

// Reads checks.network (and -t from services) into the check's options; ConfigError with
// file:line:column on bad values. Exposed for tests.
network::Options read_network_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
