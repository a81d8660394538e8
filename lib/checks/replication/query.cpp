#include "checks/replication/query.h"

#include <algorithm>
#include <stdexcept>

namespace hsops::checks::replication {
namespace {

// A cascading standby also has walsenders; its position is what it has received.
constexpr std::string_view kSenders =
    "SELECT coalesce(r.application_name, '') AS application_name, coalesce(s.slot_name::text, '') AS slot_name, "
    "coalesce(host(r.client_addr), 'local') AS client_addr, coalesce(r.state, '') AS state, "
    "coalesce(r.sync_state, '') AS sync_state, "
    "pg_wal_lsn_diff(w.lsn, r.replay_lsn) AS lag_bytes, pg_wal_lsn_diff(w.lsn, r.flush_lsn) AS flush_lag_bytes, "
    "extract(epoch FROM r.replay_lag) AS lag_seconds, extract(epoch FROM now() - r.reply_time) AS reply_age "
    "FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid, "
    "(SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END AS lsn) w "
    "ORDER BY 1, 2";

constexpr std::string_view kPosition =
    "SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() "
    "ELSE pg_current_wal_lsn() END, '0/0') AS position, "
    "ARRAY(SELECT slot_name::text FROM pg_replication_slots WHERE NOT active AND slot_type = 'physical' "
    "ORDER BY 1) AS inactive_slots";

constexpr std::string_view kReceiver =
    "SELECT pg_is_in_recovery() AS in_recovery, (SELECT status FROM pg_stat_wal_receiver) AS receiver_status, "
    "pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0') AS receive, "
    "pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0') AS replay, "
    "extract(epoch FROM now() - pg_last_xact_replay_timestamp()) AS replay_age";

std::optional<double> number(const pg::Value& v) {
  if (!v) return std::nullopt;
  return std::stod(*v);
}

// A text[] of plain identifiers in PostgreSQL's text form: {a,b} (quoted when special).
std::vector<std::string> text_array(const pg::Value& v) {
  std::vector<std::string> out;
  if (!v || v->size() < 2) return out;
  std::string item;
  bool quoted = false;
  for (std::size_t i = 1; i + 1 < v->size(); ++i) {
    const char c = (*v)[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\\' && i + 2 < v->size()) {
      item += (*v)[++i];
    } else if (c == ',' && !quoted) {
      out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty() || !out.empty()) out.push_back(std::move(item));
  return out;
}

}  // namespace

const std::vector<std::string_view>& queries() {
  static const std::vector<std::string_view> all{kPosition, kSenders, kReceiver};
  return all;
}

Result<SenderFigures> read_senders(pg::Connection& db) {
  SenderFigures f;
  auto pos = db.query(std::string(kPosition));
  if (!pos) return pos.error();
  auto rows = db.query(std::string(kSenders));
  if (!rows) return rows.error();
  try {
    if (!pos->empty()) {
      f.wal_position_bytes = number(pos->at(0, "position"));
      f.inactive_slots = text_array(pos->at(0, "inactive_slots"));
    }
    for (std::size_t i = 0; i < rows->size(); ++i) {
      Sender s;
      s.application_name = rows->at(i, "application_name").value_or("");
      s.slot_name = rows->at(i, "slot_name").value_or("");
      s.client_addr = rows->at(i, "client_addr").value_or("");
      s.state = rows->at(i, "state").value_or("");
      s.sync_state = rows->at(i, "sync_state").value_or("");
      s.lag_bytes = number(rows->at(i, "lag_bytes"));
      s.flush_lag_bytes = number(rows->at(i, "flush_lag_bytes"));
      s.lag_seconds = number(rows->at(i, "lag_seconds"));
      s.reply_age_seconds = number(rows->at(i, "reply_age"));
      f.senders.push_back(std::move(s));
    }
  } catch (const std::exception& e) {
    return Error{ErrorKind::parse, std::string("unexpected answer from PostgreSQL: ") + e.what()};
  }
  return f;
}

Result<ReceiverFigures> read_receiver(pg::Connection& db) {
  auto rows = db.query(std::string(kReceiver));
  if (!rows) return rows.error();
  if (rows->empty()) return Error{ErrorKind::sql, "the standby query returned no row"};
  ReceiverFigures f;
  try {
    f.in_recovery = rows->at(0, "in_recovery").value_or("t") == "t";
    f.receiver_status = rows->at(0, "receiver_status");
    f.receive_bytes = number(rows->at(0, "receive"));
    f.replay_bytes = number(rows->at(0, "replay"));
    f.replay_age_seconds = number(rows->at(0, "replay_age"));
  } catch (const std::exception& e) {
    return Error{ErrorKind::parse, std::string("unexpected answer from PostgreSQL: ") + e.what()};
  }
  return f;
}

StandbyView standby_view(const std::string& name, const ReceiverFigures& r, std::optional<double> primary_position) {
  StandbyView v;
  v.name = name;
  v.in_recovery = r.in_recovery;
  v.receiver_status = r.receiver_status;
  v.replay_age_seconds = r.replay_age_seconds;
  // Read a moment apart from the primary's position: never report a negative lag.
  if (primary_position && r.receive_bytes) v.receive_lag_bytes = std::max(0.0, *primary_position - *r.receive_bytes);
  if (r.receive_bytes && r.replay_bytes) v.replay_lag_bytes = std::max(0.0, *r.receive_bytes - *r.replay_bytes);
  return v;
}

}  // namespace hsops::checks::replication
