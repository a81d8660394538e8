// The engine's state file: what survives a restart (kill -9 included), so the watchdog
// neither re-pages tier 1 nor forgets a pending tier-2 page. Times are wall-clock unix ms.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "alerting/engine_state.h"
#include "core/result.h"

namespace hsops::alerting {

inline constexpr int state_version = 1;

nlohmann::json state_to_json(const EngineState& state);
// A document that is not a state of this version is an Error{parse}, never an exception.
Result<EngineState> state_from_json(const nlohmann::json& doc);

// Written to a temp file in the same directory, fsynced and renamed over `file`.
Result<bool> save_state(const std::filesystem::path& file, const EngineState& state);
// A missing file is a first start: an empty state. Unreadable or corrupt: an Error naming it.
Result<EngineState> load_state(const std::filesystem::path& file);

}  // namespace hsops::alerting
