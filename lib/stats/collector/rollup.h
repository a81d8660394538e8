// Stored daily aggregates: the roll-up turns raw reports into one row set per UTC day in
// daily_totals / daily_figures / daily_breakdowns (migration 3), so the ecosystem's history
// outlives the raw reports' retention. Each server counts once a day: its latest report of
// that day (as the daily_server_reports view). Figures are summarised exactly as /metrics does
// (aggregate(): sums, nearest-rank p50/p90/p99); breakdowns (Synapse version, database engine)
// are stored with their server counts, groups of any size: k-anonymity is applied by whoever
// reads them (as /metrics does), these tables are not public.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "stats/collector/aggregate.h"

namespace hsops::stats {

struct DailyFigureRow {
  std::string figure;        // a report field name (aggregated_figures())
  std::int64_t servers = 0;  // servers whose latest report of the day has this figure
  std::int64_t sum = 0, p50 = 0, p90 = 0, p99 = 0;
};

struct DailyBreakdownRow {
  std::string dimension;  // "version" or "database_engine"
  std::string value;      // the safe_label'd value ("1.160.0", "psycopg2", "unknown", "other")
  std::int64_t servers = 0;
};

struct DailyRows {
  std::int64_t servers = 0;
  std::vector<DailyFigureRow> figures;  // only figures at least one server reported
  std::vector<DailyBreakdownRow> breakdowns;
};

// Pure: what one day's aggregates become in the tables.
DailyRows daily_rows(const Aggregates& a);

// Pure: a PostgreSQL array literal with every element double-quoted ({"a","b\"c"}).
std::string array_literal(const std::vector<std::string>& values);

// A report committed up to this long after it was stamped (received_at is the inserting
// transaction's start) is still picked up: a day is rolled up again while it has reports
// received later than (its last roll-up - kLateCommitMargin).
inline constexpr std::chrono::hours kLateCommitMargin{1};

// Days ("YYYY-MM-DD", oldest first) that need a roll-up: days with raw reports and no stored
// aggregates, and days with reports received since their last roll-up (minus the margin) —
// but only while all of the day is still inside retention: a day that retention may already
// have cut into keeps the aggregates it got from its complete raw reports.
Result<std::vector<std::string>> days_to_roll_up(pg::Connection& db, int retention_days);

// (Re)computes one day in one transaction (serialised between collectors by an advisory lock):
// the day's old rows are replaced, so running it twice gives the same rows. Returns the
// number of servers counted.
Result<std::int64_t> roll_up_day(pg::Connection& db, const std::string& day);

struct RollupRun {
  std::vector<std::string> days;  // rolled up, oldest first
};

// Every day days_to_roll_up names, oldest first; stops at the first error (the days before it
// are stored) or, between days, when `stop` becomes true (shutdown).
Result<RollupRun> roll_up(pg::Connection& db, int retention_days, const std::atomic<bool>* stop = nullptr);

}  // namespace hsops::stats
