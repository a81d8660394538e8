// The primary's WAL position as last seen by any `hsops failover` command, kept in
// <state_dir>/last-primary.json. When the primary is gone, `promote` compares it with what the
// standby replayed: the last known lag, i.e. at least how much WAL a promotion would lose
// (Patroni keeps the same fact in its DCS for maximum_lag_on_failover).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops::failover {

struct LastSeenPrimary {
  std::string node;
  std::string wal_lsn;  // pg_current_wal_lsn() as text, "16/B374D848"
  double at = 0;        // unix seconds
};

// "16/B374D848" -> 0x16B374D848; nullopt for anything else.
std::optional<std::uint64_t> parse_lsn(std::string_view text);

// nullopt when there is no file or it is unreadable (then the lag is simply unknown).
std::optional<LastSeenPrimary> load_last_seen(const std::filesystem::path& state_dir);
Result<bool> save_last_seen(const std::filesystem::path& state_dir, const LastSeenPrimary& seen);

}  // namespace hsops::failover
