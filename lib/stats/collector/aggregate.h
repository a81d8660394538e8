// Aggregates over servers (each counted once: its latest report in the window) and their
// Prometheus rendering with k-anonymity: a breakdown group with fewer than k servers is never
// shown, and sums/quantiles are withheld while fewer than k servers report at all, so no
// single server's figures can be read off the public dashboard.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output/prometheus_writer.h"

namespace hsops::stats {

// One server's latest report, as the store hands it over (no name, no pseudonym needed).
struct ServerFigures {
  std::map<std::string, std::int64_t> counts;  // figure -> value (absent = not reported)
  std::string version;                         // "1.160.0", "unknown"
  std::string database_engine;                 // "psycopg2", "sqlite3", "unknown"
};

// The figures summed and summarised across servers (report field names).
const std::vector<std::string>& aggregated_figures();

struct FigureSummary {
  std::int64_t servers = 0;  // servers that reported this figure
  std::int64_t sum = 0;       // saturates at 2^63-1 (made-up reports could overflow it)
  std::int64_t p50 = 0, p90 = 0, p99 = 0;
};

struct Aggregates {
  std::int64_t servers = 0;
  std::map<std::string, FigureSummary> figures;
  std::map<std::string, std::int64_t> by_version;
  std::map<std::string, std::int64_t> by_database_engine;
};

Aggregates aggregate(const std::vector<ServerFigures>& servers);

// Nearest-rank quantile of sorted values (q in (0, 1]); 0 for none.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, double q);

// Prometheus text exposition (hsops_ecosystem_*, docs/metrics.md "collector").
std::string render_metrics(const Aggregates& a, std::int64_t k);
void render_metrics(output::PrometheusWriter& out, const Aggregates& a, std::int64_t k);

// A label value safe to expose: [0-9A-Za-z.+_-]{1,32}, else "other".
std::string safe_label(std::string_view value);

}  // namespace hsops::stats
