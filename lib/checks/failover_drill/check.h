// The failover_drill check itself, from plain options (config.cpp reads them from config).
#pragma once

#include <memory>

#include "checks/failover_drill/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::failover_drill {

std::shared_ptr<Check> make_failover_drill_check(Options options, const Clock& clock);

}  // namespace hsops::checks::failover_drill
