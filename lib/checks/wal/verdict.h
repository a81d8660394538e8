// The wal check's figures and verdicts. The outage this exists for: a broken standby's slot
// kept WAL on the primary until its disk filled and PostgreSQL halted. Pure: no I/O, so every
// rule is a unit test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace hsops::checks::wal {

// One row of pg_replication_slots.
struct Slot {
  std::string name;
  std::string type;                           // "physical" | "logical"
  bool active = false;
  std::optional<double> retained_wal_bytes;   // current LSN - restart_lsn; nullopt when restart_lsn is NULL
  std::string wal_status;                     // reserved | extended | unreserved | lost | "" (never used)
  std::optional<double> safe_wal_size;        // NULL unless max_slot_wal_keep_size >= 0
};

// pg_stat_archiver, plus whether archiving is on at all.
struct Archiver {
  bool enabled = false;                       // archive_mode != off
  std::int64_t archived_count = 0;
  std::int64_t failed_count = 0;
  std::string last_failed_wal;
  std::optional<double> last_archived_time;   // Unix seconds
  std::optional<double> last_failed_time;
  // As check_pgactivity decides it: the latest attempt failed.
  bool failing() const;
};

struct Thresholds {
  std::uint64_t inactive_slot_warn_bytes = 1ull << 30;  // an inactive slot keeping more: WARNING
  std::uint64_t inactive_slot_crit_bytes = 0;           // ... CRITICAL (0 = off)
  std::chrono::seconds warn_within{24 * 3600};          // WAL filesystem full within: WARNING
  std::chrono::seconds crit_within{4 * 3600};           // ... CRITICAL
};

struct Verdict {
  Status status = Status::ok;
  std::string reason;  // "" when OK
};

Verdict judge_slot(const Slot& slot, const Thresholds& t);
Verdict judge_archiver(const Archiver& archiver);
// `seconds_until_full`: nullopt = no prediction yet, +inf = not growing.
Verdict judge_wal_fs(std::optional<double> seconds_until_full, const Thresholds& t);

// Seconds until `avail_bytes` are used up at `growth_bytes_per_second`: +inf when not
// growing, 0 when nothing is left.
double seconds_until_full(double avail_bytes, double growth_bytes_per_second);

// What to do, in the order an operator should do it: the slots holding the most WAL first,
// then the archiver, then the setting that caps the damage.
struct AdviceInput {
  const std::vector<Slot>& slots;
  const Archiver& archiver;
  std::int64_t max_slot_wal_keep_size_mb = -1;  // -1 = unlimited (PostgreSQL's default)
  std::optional<double> wal_fs_size_bytes;
  const Thresholds& thresholds;
};
std::vector<std::string> advice_for(const AdviceInput& in);

}  // namespace hsops::checks::wal
