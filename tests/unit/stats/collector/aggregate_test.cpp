#include <catch2/catch.hpp>

#include <limits>

#include "stats/collector/aggregate.h"

using namespace hsops::stats;

namespace {
ServerFigures server(std::int64_t users, std::string version) {
  ServerFigures s;
  s.counts["total_users"] = users;
  s.version = std::move(version);
  s.database_engine = "psycopg2";
  return s;
}
}  // namespace

TEST_CASE("nearest-rank quantiles") {
  const std::vector<std::int64_t> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(nearest_rank(v, 0.5) == 5);
  CHECK(nearest_rank(v, 0.9) == 9);
  CHECK(nearest_rank(v, 0.99) == 10);
  CHECK(nearest_rank({}, 0.5) == 0);
  CHECK(nearest_rank({42}, 0.5) == 42);
}

TEST_CASE("sums and breakdowns with k-anonymity") {
  std::vector<ServerFigures> servers;
  for (int i = 1; i <= 6; ++i) servers.push_back(server(i * 10, "1.160.0"));
  for (int i = 0; i < 3; ++i) servers.push_back(server(1, "1.150.0"));
  const auto a = aggregate(servers);
  CHECK(a.servers == 9);
  CHECK(a.figures.at("total_users").sum == 213);
  CHECK(a.by_version.at("1.150.0") == 3);
  const std::string text = render_metrics(a, 5);
  CHECK(text.find("hsops_ecosystem_servers_by_version{version=\"1.160.0\"} 6") != std::string::npos);
  CHECK(text.find("1.150.0") == std::string::npos);
  CHECK(text.find("version=\"suppressed\"") == std::string::npos);  // 3 < k as well
  CHECK(text.find("hsops_ecosystem_figure_sum{figure=\"total_users\"} 213") != std::string::npos);
  // daily_messages was reported by nobody: withheld, not shown as 0.
  CHECK(text.find("figure=\"daily_messages\"") == std::string::npos);
}

TEST_CASE("sums are withheld while fewer than k servers report") {
  const auto a = aggregate({server(5, "1.160.0"), server(7, "1.160.0")});
  const std::string text = render_metrics(a, 5);
  CHECK(text.find("hsops_ecosystem_servers 2") != std::string::npos);
  CHECK(text.find("hsops_ecosystem_figure_sum{") == std::string::npos);
}

TEST_CASE("label values are restricted") {
  CHECK(safe_label("1.160.0rc1") == "1.160.0rc1");
  CHECK(safe_label("1.0\"} 99") == "other");
  CHECK(safe_label("") == "other");
  CHECK(safe_label(std::string(40, '1')) == "other");
}

TEST_CASE("a sum of made-up huge reports saturates instead of overflowing") {
  const std::int64_t huge = std::int64_t{1} << 53;  // the largest count a report may carry
  std::vector<ServerFigures> servers(1100, server(huge, "1.160.0"));
  const auto a = aggregate(servers);
  CHECK(a.figures.at("total_users").sum == std::numeric_limits<std::int64_t>::max());
  CHECK(a.figures.at("total_users").p50 == huge);
}
