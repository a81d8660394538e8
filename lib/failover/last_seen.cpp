#include "failover/last_seen.h"

#include <charconv>
#include <fstream>

#include <nlohmann/json.hpp>

namespace hsops::failover {

std::optional<std::uint64_t> parse_lsn(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
  std::uint32_t high = 0, low = 0;
  const auto h = std::from_chars(text.data(), text.data() + slash, high, 16);
  const auto l = std::from_chars(text.data() + slash + 1, text.data() + text.size(), low, 16);
  if (h.ec != std::errc() || h.ptr != text.data() + slash || l.ec != std::errc() || l.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return (static_cast<std::uint64_t>(high) << 32) | low;
}

std::optional<LastSeenPrimary> load_last_seen(const std::filesystem::path& state_dir) {
  std::ifstream in(state_dir / "last-primary.json");
  if (!in) return std::nullopt;
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (!j.is_object() || !j.contains("wal_lsn") || !j["wal_lsn"].is_string() || !parse_lsn(j["wal_lsn"].get<std::string>())) {
    return std::nullopt;
  }
  return LastSeenPrimary{j.value("node", ""), j["wal_lsn"].get<std::string>(), j.value("at", 0.0)};
}

Result<bool> save_last_seen(const std::filesystem::path& state_dir, const LastSeenPrimary& seen) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  const auto file = state_dir / "last-primary.json";
  const auto tmp = file.string() + ".tmp";
  std::ofstream out(tmp, std::ios::trunc);
  out << nlohmann::json{{"node", seen.node}, {"wal_lsn", seen.wal_lsn}, {"at", seen.at}}.dump() << '\n';
  out.close();
  if (!out || std::rename(tmp.c_str(), file.c_str()) != 0) return Error{ErrorKind::io, file.string() + ": cannot write"};
  return true;
}


}  // namespace hsops::failover
