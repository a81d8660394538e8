#include "checks/probe/state.h"

#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

namespace hsops::checks::probe {

Result<State> load_state(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return State{};
  std::ifstream in(file);
  if (!in) return Error{ErrorKind::state, "cannot read " + file.string()};
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object()) return Error{ErrorKind::state, file.string() + " is not a JSON object"};
  State s;
  s.homeserver = doc.value("homeserver", "");
  s.user_id = doc.value("user_id", "");
  s.room_id = doc.value("room_id", "");
  if (doc.contains("last_success") && doc["last_success"].is_number()) s.last_success = doc["last_success"].get<double>();
  return s;
}

Result<bool> save_state(const std::filesystem::path& file, const State& state) {
  nlohmann::json doc{{"homeserver", state.homeserver}, {"user_id", state.user_id}, {"room_id", state.room_id}};
  if (state.last_success) doc["last_success"] = *state.last_success;
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const auto tmp = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << '\n';
    if (!out) return Error{ErrorKind::state, "cannot write " + tmp.string()};
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Error{ErrorKind::state, "cannot rename " + tmp.string() + " to " + file.string() + ": " + ec.message()};
  return true;
}

}  // namespace hsops::checks::probe
