// Judges what the network check saw (Observations) into one CheckResult: the findings of
// every part worst first, then one line on what would break at the next reboot or renewal.
#pragma once

#include "checks/network/observations.h"
#include "checks/network/options.h"
#include "core/check.h"

namespace hsops::checks::network {

CheckResult build_result(const Options& options, const Observations& seen);

}  // namespace hsops::checks::network
