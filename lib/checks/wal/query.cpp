#include "checks/wal/query.h"

#include <stdexcept>

namespace hsops::checks::wal {
namespace {

// A standby has no current WAL position of its own: what it received is what it keeps.
#define HSOPS_WAL_POSITION                                                                           \
  "(SELECT CASE WHEN pg_is_in_recovery() "                                                          \
  "THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END AS lsn) w"

constexpr std::string_view kServer =
    "SELECT pg_wal_lsn_diff(w.lsn, '0/0') AS position, d.bytes, d.files, "
    "current_setting('data_directory') AS data_directory, "
    "(SELECT setting::bigint FROM pg_settings WHERE name = 'max_slot_wal_keep_size') AS keep_mb, "
    "current_setting('archive_mode') <> 'off' AS archiving "
    "FROM " HSOPS_WAL_POSITION ", (SELECT coalesce(sum(size), 0) AS bytes, count(*) AS files FROM pg_ls_waldir()) d";

constexpr std::string_view kSlots =
    "SELECT slot_name, slot_type, active, pg_wal_lsn_diff(w.lsn, restart_lsn) AS retained, "
    "coalesce(wal_status, '') AS wal_status, safe_wal_size "
    "FROM pg_replication_slots, " HSOPS_WAL_POSITION " ORDER BY slot_name";

constexpr std::string_view kArchiver =
    "SELECT archived_count, failed_count, coalesce(last_failed_wal, '') AS last_failed_wal, "
    "extract(epoch FROM last_archived_time) AS archived_at, extract(epoch FROM last_failed_time) AS failed_at "
    "FROM pg_stat_archiver";

#undef HSOPS_WAL_POSITION

std::optional<double> number(const pg::Value& v) {
  if (!v) return std::nullopt;
  return std::stod(*v);
}

std::string text(const pg::Value& v) { return v.value_or(""); }

bool truth(const pg::Value& v) { return v && *v == "t"; }

}  // namespace

const std::vector<std::string_view>& queries() {
  static const std::vector<std::string_view> all{kServer, kSlots, kArchiver};
  return all;
}

Result<ServerFigures> read_figures(pg::Connection& db) {
  ServerFigures f;
  auto server = db.query(std::string(kServer));
  if (!server) return server.error();
  if (server->empty()) return Error{ErrorKind::sql, "the WAL query returned no row"};
  const auto& s = server.value();
  try {
    f.wal_position_bytes = number(s.at(0, "position")).value_or(0);
    f.wal_dir_bytes = number(s.at(0, "bytes")).value_or(0);
    f.wal_files = static_cast<std::size_t>(number(s.at(0, "files")).value_or(0));
    f.data_directory = text(s.at(0, "data_directory"));
    f.max_slot_wal_keep_size_mb = static_cast<std::int64_t>(number(s.at(0, "keep_mb")).value_or(-1));
    f.archiver.enabled = truth(s.at(0, "archiving"));

    auto slots = db.query(std::string(kSlots));
    if (!slots) return slots.error();
    for (std::size_t i = 0; i < slots->size(); ++i) {
      Slot slot;
      slot.name = text(slots->at(i, "slot_name"));
      slot.type = text(slots->at(i, "slot_type"));
      slot.active = truth(slots->at(i, "active"));
      slot.retained_wal_bytes = number(slots->at(i, "retained"));
      slot.wal_status = text(slots->at(i, "wal_status"));
      slot.safe_wal_size = number(slots->at(i, "safe_wal_size"));
      f.slots.push_back(std::move(slot));
    }

    auto archiver = db.query(std::string(kArchiver));
    if (!archiver) return archiver.error();
    if (!archiver->empty()) {
      f.archiver.archived_count = static_cast<std::int64_t>(number(archiver->at(0, "archived_count")).value_or(0));
      f.archiver.failed_count = static_cast<std::int64_t>(number(archiver->at(0, "failed_count")).value_or(0));
      f.archiver.last_failed_wal = text(archiver->at(0, "last_failed_wal"));
      f.archiver.last_archived_time = number(archiver->at(0, "archived_at"));
      f.archiver.last_failed_time = number(archiver->at(0, "failed_at"));
    }
  } catch (const std::exception& e) {  // a column renamed by a future PostgreSQL, a non-number
    return Error{ErrorKind::parse, std::string("unexpected answer from PostgreSQL: ") + e.what()};
  }
  return f;
}

}  // namespace hsops::checks::wal
