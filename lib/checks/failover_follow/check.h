// The failover_follow check itself, from plain options (config.cpp reads them from config).
#pragma once

#include <memory>

#include "checks/failover_follow/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::failover_follow {

std::shared_ptr<Check> make_failover_follow_check(Options options, const Clock& clock);

}  // namespace hsops::checks::failover_follow
