#include "stats/collector/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hsops::stats {
namespace {

const std::vector<std::string> kFigures = {
    "total_users",          "total_nonbridged_users",  "total_room_count",        "daily_active_users",
    "monthly_active_users", "daily_active_rooms",      "daily_active_e2ee_rooms", "daily_messages",
    "daily_sent_messages",  "daily_e2ee_messages",     "daily_sent_e2ee_messages", "r30v2_users_all",
    "daily_user_type_native", "daily_user_type_guest", "daily_user_type_bridged",
};

void breakdown(output::PrometheusWriter& out, std::string_view metric, std::string_view help, std::string_view label,
               const std::map<std::string, std::int64_t>& groups, std::int64_t k) {
  out.family(metric, help);
  std::int64_t suppressed = 0;
  for (const auto& [value, servers] : groups) {
    if (servers < k) {
      suppressed += servers;
      continue;
    }
    out.sample(metric, {{label, value}}, servers);
  }
  // Small groups pooled: shown only when the pool itself is at least k servers.
  if (suppressed >= k) out.sample(metric, {{label, "suppressed"}}, suppressed);
}

}  // namespace

const std::vector<std::string>& aggregated_figures() { return kFigures; }

std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

std::string safe_label(std::string_view value) {
  if (value.empty() || value.size() > 32) return "other";
  for (const char c : value) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
                    c == '+' || c == '_' || c == '-';
    if (!ok) return "other";
  }
  return std::string(value);
}

Aggregates aggregate(const std::vector<ServerFigures>& servers) {
  Aggregates a;
  a.servers = static_cast<std::int64_t>(servers.size());
  for (const auto& figure : kFigures) {
    std::vector<std::int64_t> values;
    FigureSummary s;
    for (const auto& server : servers) {
      const auto it = server.counts.find(figure);
      if (it == server.counts.end()) continue;
      values.push_back(it->second);
      // Each value may be up to 2^53 and anyone can push: saturate instead of overflowing.
      if (__builtin_add_overflow(s.sum, it->second, &s.sum)) s.sum = std::numeric_limits<std::int64_t>::max();
    }
    std::sort(values.begin(), values.end());
    s.servers = static_cast<std::int64_t>(values.size());
    s.p50 = nearest_rank(values, 0.5);
    s.p90 = nearest_rank(values, 0.9);
    s.p99 = nearest_rank(values, 0.99);
    a.figures[figure] = s;
  }
  for (const auto& server : servers) {
    ++a.by_version[safe_label(server.version)];
    ++a.by_database_engine[safe_label(server.database_engine)];
  }
  return a;
}

std::string render_metrics(const Aggregates& a, std::int64_t k) {
  output::PrometheusWriter out;
  render_metrics(out, a, k);
  return out.take();
}

void render_metrics(output::PrometheusWriter& out, const Aggregates& a, std::int64_t k) {
  out.family("hsops_ecosystem_servers", "Servers counted: one latest report each in the last 24 hours");
  out.sample("hsops_ecosystem_servers", a.servers);
  out.family("hsops_ecosystem_anonymity_k", "Smallest group of servers any figure is shown for");
  out.sample("hsops_ecosystem_anonymity_k", k);
  out.family("hsops_ecosystem_figure_sum", "Sum of a report figure across servers");
  for (const auto& [figure, s] : a.figures) {
    if (s.servers >= k) out.sample("hsops_ecosystem_figure_sum", {{"figure", figure}}, s.sum);
  }
  out.family("hsops_ecosystem_figure_quantile", "Nearest-rank quantile of a report figure across servers");
  for (const auto& [figure, s] : a.figures) {
    if (s.servers < k) continue;
    out.sample("hsops_ecosystem_figure_quantile", {{"figure", figure}, {"quantile", "0.5"}}, s.p50);
    out.sample("hsops_ecosystem_figure_quantile", {{"figure", figure}, {"quantile", "0.9"}}, s.p90);
    out.sample("hsops_ecosystem_figure_quantile", {{"figure", figure}, {"quantile", "0.99"}}, s.p99);
  }
  breakdown(out, "hsops_ecosystem_servers_by_version", "Servers by Synapse version (groups under k hidden)",
            "version", a.by_version, k);
  breakdown(out, "hsops_ecosystem_servers_by_database_engine", "Servers by database engine (groups under k hidden)",
            "engine", a.by_database_engine, k);
}

}  // namespace hsops::stats
