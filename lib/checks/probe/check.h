// The probe itself, built from plain options (probe.cpp reads them from config), so tests can
// point it at the real Synapse or at a fake homeserver.
#pragma once

#include <memory>

#include "checks/probe/options.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::probe {

std::shared_ptr<Check> make_probe_check(Options options, const Clock& clock);

}  // namespace hsops::checks::probe
