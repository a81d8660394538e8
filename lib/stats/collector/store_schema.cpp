// The collector's schema, one migration per version. Append only: never edit a released one.
#include "stats/collector/store.h"

namespace hsops::stats {
namespace {

std::string column_type(FieldType t) {
  switch (t) {
    case FieldType::count: return "bigint";
    case FieldType::number: return "double precision";
    default: return "text";
  }
}

std::string reports_table() {
  std::string sql =
      "CREATE TABLE reports (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL DEFAULT now(), "
      "day date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date, server_pseudonym text NOT NULL, "
      "server_version text NOT NULL";
  for (const auto& f : report_fields()) {
    if (f.name == "homeserver" || f.name == "server_context") continue;  // never stored
    sql += ", " + std::string(f.name) + " " + column_type(f.type);
  }
  return sql + ")";
}

std::vector<Migration> build() {
  std::vector<Migration> m;
  m.push_back({1, "reports table", {reports_table(),
      "CREATE INDEX reports_received_at ON reports (received_at)",
      "CREATE INDEX reports_server_day ON reports (server_pseudonym, day, received_at DESC)"}});
  // A server reporting several times a day counts once: its latest report of that UTC day.
  m.push_back({2, "daily views", {
      "CREATE VIEW daily_server_reports AS SELECT DISTINCT ON (day, server_pseudonym) * FROM reports "
      "ORDER BY day, server_pseudonym, received_at DESC, id DESC",
      "CREATE VIEW daily_aggregates AS SELECT day, count(*) AS servers, "
      "sum(total_users) AS total_users, sum(daily_active_users) AS daily_active_users, "
      "sum(monthly_active_users) AS monthly_active_users, sum(total_room_count) AS total_room_count, "
      "sum(daily_messages) AS daily_messages, sum(daily_sent_messages) AS daily_sent_messages, "
      "sum(daily_e2ee_messages) AS daily_e2ee_messages, "
      "percentile_disc(0.5) WITHIN GROUP (ORDER BY total_users) AS total_users_p50, "
      "percentile_disc(0.5) WITHIN GROUP (ORDER BY daily_active_users) AS daily_active_users_p50, "
      "percentile_disc(0.5) WITHIN GROUP (ORDER BY monthly_active_users) AS monthly_active_users_p50 "
      "FROM daily_server_reports GROUP BY day"}});
  // Stored daily aggregates (lib/stats/rollup.cpp fills them before retention deletes raw
  // reports), so the history outlives the raw rows. Breakdown groups of any size are kept with
  // their server counts; k-anonymity is applied when they are read.
  m.push_back({3, "stored daily aggregates", {
      "CREATE TABLE daily_totals (day date PRIMARY KEY, servers bigint NOT NULL, "
      "rolled_up_at timestamptz NOT NULL)",
      "CREATE TABLE daily_figures (day date NOT NULL REFERENCES daily_totals (day) ON DELETE CASCADE "
      "DEFERRABLE INITIALLY DEFERRED, figure text NOT NULL, servers bigint NOT NULL, sum bigint NOT NULL, "
      "p50 bigint NOT NULL, p90 bigint NOT NULL, p99 bigint NOT NULL, PRIMARY KEY (day, figure))",
      "CREATE TABLE daily_breakdowns (day date NOT NULL REFERENCES daily_totals (day) ON DELETE CASCADE "
      "DEFERRABLE INITIALLY DEFERRED, dimension text NOT NULL CHECK (dimension IN ('version', 'database_engine')), "
      "value text NOT NULL, servers bigint NOT NULL, PRIMARY KEY (day, dimension, value))",
      // The roll-up reads one day at a time and finds the days by a loose index scan.
      "CREATE INDEX reports_day ON reports (day, received_at)"}});
  // Ingest speed: every btree costs each stored row an index insertion, and the one led by the
  // random pseudonym (a page read and a collation compare per level) cost most (bulk COPY
  // 10.4 -> 5.0 us/row, docs/performance.md). Nothing needs them: /metrics and retention scan
  // by received_at, which a BRIN covers (rows arrive in time order); the roll-up uses reports_day.
  m.push_back({4, "lighter indexes for ingest", {
      "DROP INDEX reports_server_day",
      "DROP INDEX reports_received_at",
      "CREATE INDEX reports_received_at_brin ON reports USING brin (received_at)"}});
  return m;
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = build();
  return all;
}

Result<int> migrate(pg::Connection& db) {
  auto created = db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
                          "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
  if (!created) return created.error();
  int reached = 0;
  for (const auto& m : migrations()) {
    if (auto r = db.query("BEGIN"); !r) return r.error();
    // Transaction-scoped lock: released by COMMIT/ROLLBACK, so no unlock path to forget.
    auto step = [&]() -> std::optional<Error> {
      if (auto r = db.query("SELECT pg_advisory_xact_lock(727274)"); !r) return r.error();
      auto done = db.query("SELECT 1 FROM schema_migrations WHERE version = $1::int", {std::to_string(m.version)});
      if (!done) return done.error();
      if (!done->empty()) return std::nullopt;
      for (const auto& s : m.statements) {
        if (auto r = db.query(s); !r) return Error{r.error().kind, "migration " + std::to_string(m.version) + ": " + r.error().message};
      }
      auto rec = db.query("INSERT INTO schema_migrations (version, description) VALUES ($1::int, $2)",
                          {std::to_string(m.version), m.description});
      if (!rec) return rec.error();
      return std::nullopt;
    }();
    if (step) {
      (void)db.query("ROLLBACK");
      return *step;
    }
    if (auto r = db.query("COMMIT"); !r) return r.error();
    reached = m.version;
  }
  return reached;
}

}  // namespace hsops::stats
