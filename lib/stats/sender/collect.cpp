#include "stats/sender/collect.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hsops::stats {
namespace {

constexpr std::int64_t kDay = 86400;

Result<std::int64_t> scalar(pg::Connection& db, const std::string& sql, const pg::Params& params = {}) {
  auto rows = db.query(sql, params);
  if (!rows) return rows.error();
  if (rows->empty() || rows->rows[0].empty() || !rows->rows[0][0]) return std::int64_t{0};
  return std::stoll(*rows->rows[0][0]);
}

// Collects into `out` or stops at the first failed query.
class Collector {
 public:
  Collector(pg::Connection& db, Report& out) : db_(db), out_(out) {}
  bool put(const char* field, const std::string& sql, const pg::Params& params = {}) {
    if (error_) return false;
    auto v = scalar(db_, sql, params);
    if (!v) {
      error_ = v.error();
      return false;
    }
    out_.fields[field] = *v;
    return true;
  }
  void fail(Error e) { if (!error_) error_ = std::move(e); }
  const std::optional<Error>& error() const { return error_; }

 private:
  pg::Connection& db_;
  Report& out_;
  std::optional<Error> error_;
};

std::string str(std::int64_t v) { return std::to_string(v); }

const char* kR30ByClient = R"SQL(
  SELECT client_type, count(client_type) FROM (
    SELECT user_id,
      CASE
        WHEN LOWER(user_agent) LIKE '%riot%' OR LOWER(user_agent) LIKE '%element%' THEN CASE
          WHEN LOWER(user_agent) LIKE '%electron%' THEN 'electron'
          WHEN LOWER(user_agent) LIKE '%android%' THEN 'android'
          WHEN LOWER(user_agent) LIKE '%ios%' THEN 'ios'
          ELSE 'unknown' END
        WHEN LOWER(user_agent) LIKE '%mozilla%' OR LOWER(user_agent) LIKE '%gecko%' THEN 'web'
        ELSE 'unknown'
      END AS client_type
    FROM user_daily_visits
    WHERE timestamp > $1::bigint AND timestamp < $2::bigint
    GROUP BY user_id, client_type
    HAVING max(timestamp) - min(timestamp) > $3::bigint
  ) AS temp GROUP BY client_type)SQL";

const char* kR30All = R"SQL(
  SELECT COUNT(*) FROM (
    SELECT 1 FROM user_daily_visits
    WHERE timestamp > $1::bigint AND timestamp < $2::bigint
    GROUP BY user_id HAVING max(timestamp) - min(timestamp) > $3::bigint
  ) AS r30_users)SQL";

std::optional<Error> collect_r30v2(pg::Connection& db, std::int64_t now, Report& out) {
  const std::int64_t thirty = kDay * 30;
  const pg::Params window = {str((now - 2 * thirty) * 1000), str((now + kDay) * 1000), str(thirty * 1000)};
  for (const char* c : {"android", "ios", "electron", "web"}) out.fields[std::string("r30v2_users_") + c] = 0;
  auto rows = db.query(kR30ByClient, window);
  if (!rows) return rows.error();
  for (const auto& row : rows->rows) {
    if (!row[0] || *row[0] == "unknown" || !row[1]) continue;
    out.fields["r30v2_users_" + *row[0]] = std::stoll(*row[1]);
  }
  auto all = scalar(db, kR30All, window);
  if (!all) return all.error();
  out.fields["r30v2_users_all"] = *all;
  return std::nullopt;
}

std::optional<std::int64_t> process_uptime_seconds(const std::string& proc_root, int pid, std::int64_t now) {
  std::error_code ec;
  const auto when = std::filesystem::last_write_time(proc_root + "/" + std::to_string(pid), ec);
  if (ec) return std::nullopt;
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::file_clock::to_sys(when).time_since_epoch()).count();
  return std::max<std::int64_t>(0, now - since);
}

}  // namespace

Result<std::int64_t> first_stream_ordering_after(pg::Connection& db, std::int64_t cutoff_ms) {
  auto max = db.query("SELECT MAX(stream_ordering) FROM events");
  if (!max) return max.error();
  if (max->empty() || !max->rows[0][0]) return std::int64_t{0};
  std::int64_t start = 0;
  std::int64_t end = std::stoll(*max->rows[0][0]) + 1;
  while (end - start > 0) {
    const std::int64_t middle = (start + end) / 2;
    auto row = db.query("SELECT received_ts FROM events WHERE stream_ordering <= $1::bigint "
                        "ORDER BY stream_ordering DESC LIMIT 1", {str(middle)});
    if (!row) return row.error();
    if (row->empty() || !row->rows[0][0] || cutoff_ms > std::stoll(*row->rows[0][0])) {
      start = middle + 1;
    } else {
      end = middle;
    }
  }
  return start;
}

std::optional<std::int64_t> peak_rss_kilobytes(const std::string& proc_root, int pid) {
  std::ifstream in(proc_root + "/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::int64_t kb = 0;
      if (fields >> kb) return kb;
    }
  }
  return std::nullopt;
}

Result<Report> collect(pg::Connection& db, const CollectOptions& o) {
  Report r;
  r.fields["homeserver"] = o.server_name;
  r.fields["server_context"] = o.server_context ? nlohmann::json(*o.server_context) : nlohmann::json(nullptr);
  r.fields["timestamp"] = o.now_seconds;
  Collector c(db, r);
  const std::int64_t now_ms = o.now_seconds * 1000;
  c.put("total_users", "SELECT COUNT(*) FROM users");
  c.put("total_nonbridged_users", "SELECT COUNT(*) FROM users WHERE appservice_id IS NULL");
  const std::string day_ago = str(o.now_seconds - kDay);
  c.put("daily_user_type_native",
        "SELECT COUNT(*) FROM users WHERE creation_ts > $1::bigint AND is_guest = 0 AND appservice_id IS NULL", {day_ago});
  c.put("daily_user_type_guest",
        "SELECT COUNT(*) FROM users WHERE creation_ts > $1::bigint AND is_guest = 1 AND appservice_id IS NULL", {day_ago});
  c.put("daily_user_type_bridged",
        "SELECT COUNT(*) FROM users WHERE creation_ts > $1::bigint AND is_guest = 0 AND appservice_id IS NOT NULL",
        {day_ago});
  c.put("total_room_count", "SELECT COUNT(*) FROM rooms");
  const char* users_since = "SELECT COUNT(*) FROM (SELECT user_id FROM user_ips WHERE last_seen > $1::bigint GROUP BY user_id) u";
  c.put("daily_active_users", users_since, {str(now_ms - kDay * 1000)});
  c.put("monthly_active_users", users_since, {str(now_ms - 30 * kDay * 1000)});
  if (c.error()) return *c.error();

  auto position = first_stream_ordering_after(db, now_ms - kDay * 1000);
  if (!position) return position.error();
  const std::string pos = str(*position);
  // Synapse's "%:" + hostname LIKE pattern, wildcards in the name included (its semantics).
  const std::string local = "%:" + o.server_name;
  const char* rooms = "SELECT COUNT(DISTINCT room_id) FROM events WHERE type = $1 AND stream_ordering > $2::bigint";
  const char* messages = "SELECT COUNT(*) FROM events WHERE type = $1 AND stream_ordering > $2::bigint";
  const char* sent = "SELECT COUNT(*) FROM events WHERE type = $1 AND sender LIKE $3 AND stream_ordering > $2::bigint";
  c.put("daily_active_rooms", rooms, {"m.room.message", pos});
  c.put("daily_active_e2ee_rooms", rooms, {"m.room.encrypted", pos});
  c.put("daily_messages", messages, {"m.room.message", pos});
  c.put("daily_sent_messages", sent, {"m.room.message", pos, local});
  c.put("daily_e2ee_messages", messages, {"m.room.encrypted", pos});
  c.put("daily_sent_e2ee_messages", sent, {"m.room.encrypted", pos, local});
  if (c.error()) return *c.error();
  if (auto e = collect_r30v2(db, o.now_seconds, r)) return *e;

  r.fields["database_engine"] = "psycopg2";
  const int v = db.server_version();
  r.fields["database_server_version"] =
      v >= 100000 ? str(v / 10000) + "." + str(v % 10000) : str(v / 10000) + "." + str(v / 100 % 100) + "." + str(v % 100);
  if (o.pid) {
    if (auto kb = peak_rss_kilobytes(o.proc_root, *o.pid)) r.fields["memory_rss"] = *kb;
    if (auto up = process_uptime_seconds(o.proc_root, *o.pid, o.now_seconds)) r.fields["uptime_seconds"] = *up;
  }
  return r;
}

}  // namespace hsops::stats
