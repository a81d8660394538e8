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

// The reader role and its grants. Roles are cluster-wide and creating one needs CREATEROLE,
// which the collector's role may lack: then this only says so (NOTICE) and the DBA creates the
// role (docs/report-stats.md); the grants follow at the collector's next start, which runs this
// again (publish_settings). A grant that fails (views owned by another role) must not stop a
// start either. Migration 5 embeds this text: changing it means a new migration.
constexpr const char* kReaderRoleBlock = R"sql(DO $block$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hsops_stats_reader') THEN
    BEGIN
      CREATE ROLE hsops_stats_reader NOLOGIN;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'role hsops_stats_reader is missing and % may not create it (CREATEROLE): the public_daily_* views have no reader until it exists', current_user;
      WHEN duplicate_object OR unique_violation THEN
        NULL;  -- a collector of another database created it meanwhile
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hsops_stats_reader') THEN
    BEGIN
      EXECUTE format('GRANT USAGE ON SCHEMA %I TO hsops_stats_reader', current_schema());
      GRANT SELECT ON public_daily_totals, public_daily_figures, public_daily_breakdowns TO hsops_stats_reader;
    EXCEPTION
      WHEN insufficient_privilege THEN
        RAISE NOTICE '% may not grant the public_daily_* views to hsops_stats_reader: grant them as their owner', current_user;
    END;
  END IF;
END
$block$)sql";

// What a dashboard may read: the stored daily tables with k-anonymity applied as /metrics
// applies it (aggregate.cpp), k being the collector's `k_anonymity` (publication_settings, set
// at every start). No settings row: nothing is shown (k unknown, so fail closed).
// security_barrier: the view's own k filter runs before any condition a reader adds, so a
// reader's function or a failing expression (1/(servers-3)) cannot probe hidden rows.
// The views run with their owner's rights (not security_invoker): the reader needs no
// privilege on the tables below them.
std::vector<std::string> publication_statements() {
  return {
      "CREATE TABLE publication_settings (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), "
      "k_anonymity integer NOT NULL CHECK (k_anonymity >= 2), updated_at timestamptz NOT NULL DEFAULT now())",
      "CREATE VIEW public_daily_totals WITH (security_barrier) AS "
      "SELECT t.day, t.servers FROM daily_totals t, publication_settings p WHERE t.servers >= p.k_anonymity",
      "CREATE VIEW public_daily_figures WITH (security_barrier) AS "
      "SELECT f.day, f.figure, f.servers, f.sum, f.p50, f.p90, f.p99 FROM daily_figures f, publication_settings p "
      "WHERE f.servers >= p.k_anonymity",
      // Groups under k are pooled as 'suppressed', shown only when the pool has k servers. A
      // reported value that is literally 'suppressed' joins the pool rather than merging with it
      // as if it were the pool's own count.
      "CREATE VIEW public_daily_breakdowns WITH (security_barrier) AS "
      "SELECT g.day, g.dimension, g.value, sum(g.servers)::bigint AS servers FROM ("
      " SELECT b.day, b.dimension, b.servers, p.k_anonymity,"
      "  CASE WHEN b.servers >= p.k_anonymity AND b.value <> 'suppressed' THEN b.value ELSE 'suppressed' END AS value"
      " FROM daily_breakdowns b, publication_settings p) g "
      "GROUP BY g.day, g.dimension, g.value, g.k_anonymity HAVING sum(g.servers) >= g.k_anonymity",
      kReaderRoleBlock,
  };
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
  m.push_back({5, "k-suppressed public views and their reader role", publication_statements()});
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

Result<PublicationState> publish_settings(pg::Connection& db, std::int64_t k_anonymity) {
  auto set = db.query(
      "INSERT INTO publication_settings (k_anonymity) VALUES ($1::int) "
      "ON CONFLICT (only_row) DO UPDATE SET k_anonymity = EXCLUDED.k_anonymity, updated_at = now()",
      {std::to_string(k_anonymity)});
  if (!set) return set.error();
  if (auto r = db.query(kReaderRoleBlock); !r) return r.error();
  auto reader = db.query("SELECT 1 FROM pg_roles WHERE rolname = 'hsops_stats_reader'");
  if (!reader) return reader.error();
  return PublicationState{!reader->empty()};
}

}  // namespace hsops::stats
