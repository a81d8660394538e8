// The patroni check itself, from plain options (config.cpp reads them from checks.patroni).
#pragma once

#include <memory>

#include "checks/patroni/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::patroni {

std::shared_ptr<Check> make_patroni_check(Options options, const Clock& clock);

}  // namespace hsops::checks::patroni
