// The federation check itself, built from plain options (federation.cpp reads config), with
// resolution injectable so tests can run it against the real Synapse or a fake server.
#pragma once

#include <memory>

#include "checks/federation/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::federation {

std::shared_ptr<Check> make_federation_check(Options options, const Clock& clock);

}  // namespace hsops::checks::federation
