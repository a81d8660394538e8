// Canonical JSON as the Matrix spec defines it for signing: keys sorted by code point, no
// insignificant whitespace, UTF-8 (no \u escapes except for control characters), integers only
// (floats are not allowed, integers must lie in [-(2^53)+1, 2^53-1]).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace hsops::matrix {

// Error{ErrorKind::canonical_json, ...} for a float, an out-of-range integer or invalid UTF-8.
Result<std::string> canonical_json(const nlohmann::json& value);

}  // namespace hsops::matrix
