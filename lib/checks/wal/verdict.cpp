#include "checks/wal/verdict.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/units.h"

namespace hsops::checks::wal {
namespace {

std::string quoted(const std::string& slot) { return "'" + slot + "'"; }

bool at_risk(const Slot& s) { return s.wal_status == "lost" || s.wal_status == "unreserved"; }

// A quarter of the WAL filesystem, rounded down to whole GB (or MB when small): keeps room for
// max_wal_size and the rest of the data directory when pg_wal shares the filesystem.
std::string suggested_cap(std::optional<double> fs_size) {
  constexpr double kMB = 1024.0 * 1024;
  if (!fs_size || *fs_size <= 0) return "'10GB' (for example; size it well below the free space of the WAL filesystem)";
  const double quarter = *fs_size / 4;
  const std::string value = quarter >= 1024 * kMB
                                ? std::to_string(static_cast<long long>(std::floor(quarter / 1024 / kMB))) + "GB"
                                : std::to_string(static_cast<long long>(std::max(16.0, std::floor(quarter / kMB)))) + "MB";
  return "'" + value + "' (a quarter of the " + format_bytes(*fs_size) + " WAL filesystem)";
}

}  // namespace

bool Archiver::failing() const {
  if (!enabled || failed_count == 0 || !last_failed_time) return false;
  return !last_archived_time || *last_failed_time > *last_archived_time;
}

Verdict judge_slot(const Slot& slot, const Thresholds& t) {
  const std::string name = "slot " + quoted(slot.name);
  if (slot.wal_status == "lost") return {Status::critical, name + " lost WAL it needed: its standby cannot resume"};
  if (slot.wal_status == "unreserved") {
    return {Status::critical, name + " is beyond max_slot_wal_keep_size: its WAL goes at the next checkpoint"};
  }
  if (slot.active || !slot.retained_wal_bytes) return {};
  const double kept = *slot.retained_wal_bytes;
  const std::string why = name + " is inactive and retains " + format_bytes(kept) + " of WAL";
  if (t.inactive_slot_crit_bytes > 0 && kept > static_cast<double>(t.inactive_slot_crit_bytes)) {
    return {Status::critical, why};
  }
  if (kept > static_cast<double>(t.inactive_slot_warn_bytes)) return {Status::warning, why};
  return {};
}

Verdict judge_archiver(const Archiver& a) {
  if (!a.failing()) return {};
  return {Status::critical, "WAL archiving fails (" + std::to_string(a.failed_count) + " failures, last " +
                                (a.last_failed_wal.empty() ? std::string("?") : a.last_failed_wal) + ")"};
}

Verdict judge_wal_fs(std::optional<double> seconds, const Thresholds& t) {
  if (!seconds || !std::isfinite(*seconds)) return {};
  const std::string why = "WAL filesystem full in " + format_duration(*seconds);
  if (*seconds <= static_cast<double>(t.crit_within.count())) return {Status::critical, why};
  if (*seconds <= static_cast<double>(t.warn_within.count())) return {Status::warning, why};
  return {};
}

double seconds_until_full(double avail_bytes, double growth_bytes_per_second) {
  if (avail_bytes <= 0) return 0;
  if (!(growth_bytes_per_second > 0)) return std::numeric_limits<double>::infinity();
  return avail_bytes / growth_bytes_per_second;
}

std::vector<std::string> advice_for(const AdviceInput& in) {
  std::vector<const Slot*> troubled;
  for (const auto& s : in.slots) {
    if (judge_slot(s, in.thresholds).status != Status::ok) troubled.push_back(&s);
  }
  std::sort(troubled.begin(), troubled.end(), [](const Slot* a, const Slot* b) {
    return a->retained_wal_bytes.value_or(0) > b->retained_wal_bytes.value_or(0);
  });
  std::vector<std::string> lines;
  for (const Slot* s : troubled) {
    const std::string drop = "SELECT pg_drop_replication_slot(" + quoted(s->name) + ");";
    if (s->wal_status == "lost") {
      lines.push_back("advice: slot " + quoted(s->name) + " lost its WAL: re-clone its standby (pg_basebackup -R -S " +
                      s->name + "), or if that standby is gone drop the slot on the primary: " + drop);
    } else {
      lines.push_back("advice: slot " + quoted(s->name) + " keeps " + format_bytes(s->retained_wal_bytes.value_or(0)) +
                      " of WAL for a standby that is not connected: fix that standby (`hsops check replication` "
                      "names it; read its log), or if it is gone for good drop the slot on the primary: " + drop +
                      " Never delete files in pg_wal by hand");
    }
  }
  if (in.archiver.failing()) {
    lines.push_back("advice: archive_command fails (last failed " + in.archiver.last_failed_wal +
                    "): PostgreSQL keeps every segment until it succeeds; the primary's log has the command's error");
  }
  const bool slot_trouble = !troubled.empty() || std::any_of(in.slots.begin(), in.slots.end(), at_risk);
  if (slot_trouble && in.max_slot_wal_keep_size_mb < 0) {
    lines.push_back("advice: max_slot_wal_keep_size is unlimited (-1), so a dead standby's slot can fill the disk and "
                    "halt the primary; cap it: ALTER SYSTEM SET max_slot_wal_keep_size = " +
                    suggested_cap(in.wal_fs_size_bytes) +
                    "; SELECT pg_reload_conf(); (a slot over the cap is invalidated and its standby re-cloned, but "
                    "the primary keeps running)");
  }
  return lines;
}

}  // namespace hsops::checks::wal
