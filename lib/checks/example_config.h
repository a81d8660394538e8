// The fully commented example config printed by `hsops config example`: the global keys, then
// each registered check's own commented section.
#pragma once

#include <string>

namespace hsops::checks {

std::string example_config();

}  // namespace hsops::checks
