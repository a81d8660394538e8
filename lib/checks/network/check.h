// The network check: reads the kernel's routes, interfaces and addresses (rtnetlink), connects
// to the peers, reads DHCP leases and lints hooks, then judges it all (report.h).
#pragma once

#include <memory>

#include "checks/network/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::network {

std::shared_ptr<Check> make_network_check(Options options, const Clock& clock);

}  // namespace hsops::checks::network
