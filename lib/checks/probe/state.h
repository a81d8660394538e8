// What the probe remembers between runs (<state_dir>/probe-state.json): the probe room it
// created and when it last succeeded. Any trouble with the file costs only that memory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"

namespace hsops::checks::probe {

struct State {
  std::string homeserver;  // the room is only reused for the same server and user
  std::string user_id;
  std::string room_id;
  std::optional<double> last_success;  // Unix seconds
};

// A missing file is an empty State; an unreadable or corrupt one is an Error.
Result<State> load_state(const std::filesystem::path& file);
// Written to a temporary file and renamed, so a crash never leaves half a file.
Result<bool> save_state(const std::filesystem::path& file, const State& state);

}  // namespace hsops::checks::probe
