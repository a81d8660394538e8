#include "stats/collector/rollup.h"

#include <string_view>

#include "stats/collector/store.h"

namespace hsops::stats {
namespace {

// Serialises roll-ups of all collectors sharing a database (727274 is the migration lock).
constexpr const char* kRollupLock = "SELECT pg_advisory_xact_lock(727275)";

std::string int_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(values[i]);
  }
  return out + "}";
}

// Each server once: its latest report of `day` (the order of the daily_server_reports view).
Result<std::vector<ServerFigures>> latest_of_day(pg::Connection& db, const std::string& day) {
  return latest_report_per_server(db, "day = $1::date", {day});
}

Result<bool> write_day(pg::Connection& db, const std::string& day, const DailyRows& rows) {
  std::vector<std::string> names, dimensions, values;
  std::vector<std::int64_t> servers, sums, p50, p90, p99, group_servers;
  for (const auto& f : rows.figures) {
    names.push_back(f.figure);
    servers.push_back(f.servers);
    sums.push_back(f.sum);
    p50.push_back(f.p50);
    p90.push_back(f.p90);
    p99.push_back(f.p99);
  }
  for (const auto& b : rows.breakdowns) {
    dimensions.push_back(b.dimension);
    values.push_back(b.value);
    group_servers.push_back(b.servers);
  }
  // Replace, not merge: a group or figure the day no longer has must go.
  for (const char* sql : {"DELETE FROM daily_figures WHERE day = $1::date", "DELETE FROM daily_breakdowns WHERE day = $1::date"}) {
    if (auto r = db.query(sql, {day}); !r) return r.error();
  }
  if (!names.empty()) {
    auto r = db.query(
        "INSERT INTO daily_figures (day, figure, servers, sum, p50, p90, p99) "
        "SELECT $1::date, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])",
        {day, array_literal(names), int_array(servers), int_array(sums), int_array(p50), int_array(p90), int_array(p99)});
    if (!r) return r.error();
  }
  if (!dimensions.empty()) {
    auto r = db.query("INSERT INTO daily_breakdowns (day, dimension, value, servers) "
                      "SELECT $1::date, * FROM unnest($2::text[], $3::text[], $4::bigint[])",
                      {day, array_literal(dimensions), array_literal(values), int_array(group_servers)});
    if (!r) return r.error();
  }
  // rolled_up_at = now() = this transaction's start, before the reports were read: a report
  // committed meanwhile is newer than it and gets the day rolled up again next time.
  auto r = db.query("INSERT INTO daily_totals (day, servers, rolled_up_at) VALUES ($1::date, $2::bigint, now()) "
                    "ON CONFLICT (day) DO UPDATE SET servers = EXCLUDED.servers, rolled_up_at = EXCLUDED.rolled_up_at",
                    {day, std::to_string(rows.servers)});
  if (!r) return r.error();
  return true;
}

}  // namespace

DailyRows daily_rows(const Aggregates& a) {
  DailyRows out;
  out.servers = a.servers;
  for (const auto& [figure, s] : a.figures) {
    if (s.servers == 0) continue;
    out.figures.push_back({figure, s.servers, s.sum, s.p50, s.p90, s.p99});
  }
  for (const auto& [value, servers] : a.by_version) out.breakdowns.push_back({"version", value, servers});
  for (const auto& [value, servers] : a.by_database_engine) out.breakdowns.push_back({"database_engine", value, servers});
  return out;
}

std::string array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

Result<std::vector<std::string>> days_to_roll_up(pg::Connection& db, int retention_days) {
  // The distinct days by a loose index scan over reports_day (one probe per day, not a scan
  // of every report), then the ones whose stored aggregates are missing or stale. A day is
  // complete in raw reports when it starts after the retention cut-off.
  auto rows = db.query(
      "WITH RECURSIVE days AS ("
      " (SELECT day FROM reports ORDER BY day LIMIT 1)"
      " UNION ALL"
      " SELECT (SELECT r.day FROM reports r WHERE r.day > d.day ORDER BY r.day LIMIT 1) FROM days d WHERE d.day IS NOT NULL)"
      " SELECT to_char(d.day, 'YYYY-MM-DD') FROM days d LEFT JOIN daily_totals t ON t.day = d.day"
      " WHERE d.day IS NOT NULL AND (t.day IS NULL OR ("
      "  d.day > ((now() - make_interval(days => $1::int)) AT TIME ZONE 'UTC')::date"
      "  AND EXISTS (SELECT 1 FROM reports r WHERE r.day = d.day"
      "              AND r.received_at > t.rolled_up_at - make_interval(secs => $2::int))))"
      " ORDER BY d.day",
      {std::to_string(retention_days),
       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kLateCommitMargin).count())});
  if (!rows) return rows.error();
  std::vector<std::string> days;
  for (const auto& row : rows->rows) days.push_back(row[0].value_or(""));
  return days;
}

Result<std::int64_t> roll_up_day(pg::Connection& db, const std::string& day) {
  if (auto r = db.query("BEGIN"); !r) return r.error();
  auto step = [&]() -> Result<std::int64_t> {
    if (auto r = db.query(kRollupLock); !r) return r.error();
    auto servers = latest_of_day(db, day);
    if (!servers) return servers.error();
    const DailyRows rows = daily_rows(aggregate(*servers));
    if (auto w = write_day(db, day, rows); !w) return w.error();
    return rows.servers;
  }();
  if (!step) {
    (void)db.query("ROLLBACK");
    return Error{step.error().kind, "roll-up of " + day + ": " + step.error().message};
  }
  if (auto r = db.query("COMMIT"); !r) return r.error();
  return step;
}

Result<RollupRun> roll_up(pg::Connection& db, int retention_days, const std::atomic<bool>* stop) {
  auto days = days_to_roll_up(db, retention_days);
  if (!days) return days.error();
  RollupRun run;
  for (const auto& day : *days) {
    if (stop != nullptr && stop->load()) break;
    auto done = roll_up_day(db, day);
    if (!done) return done.error();
    run.days.push_back(day);
  }
  return run;
}

}  // namespace hsops::stats
