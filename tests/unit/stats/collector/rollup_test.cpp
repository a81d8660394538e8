#include <catch2/catch.hpp>

#include "stats/collector/rollup.h"

using namespace hsops::stats;

namespace {
ServerFigures server(std::map<std::string, std::int64_t> counts, std::string version, std::string engine) {
  ServerFigures s;
  s.counts = std::move(counts);
  s.version = std::move(version);
  s.database_engine = std::move(engine);
  return s;
}

const DailyFigureRow* figure(const DailyRows& rows, const std::string& name) {
  for (const auto& f : rows.figures) {
    if (f.figure == name) return &f;
  }
  return nullptr;
}

std::int64_t group(const DailyRows& rows, const std::string& dimension, const std::string& value) {
  for (const auto& b : rows.breakdowns) {
    if (b.dimension == dimension && b.value == value) return b.servers;
  }
  return -1;
}
}  // namespace

TEST_CASE("a day's rows hold sums quantiles and servers per figure") {
  std::vector<ServerFigures> servers;
  for (std::int64_t i = 1; i <= 10; ++i) {
    std::map<std::string, std::int64_t> counts = {{"total_users", i * 10}};
    if (i <= 4) counts["daily_messages"] = i;  // only 4 servers report messages
    servers.push_back(server(counts, "1.160.0", "psycopg2"));
  }
  const DailyRows rows = daily_rows(aggregate(servers));
  CHECK(rows.servers == 10);
  const auto* users = figure(rows, "total_users");
  REQUIRE(users != nullptr);
  CHECK(users->servers == 10);
  CHECK(users->sum == 550);
  CHECK(users->p50 == 50);
  CHECK(users->p90 == 90);
  CHECK(users->p99 == 100);
  const auto* messages = figure(rows, "daily_messages");
  REQUIRE(messages != nullptr);
  CHECK(messages->servers == 4);
  CHECK(messages->sum == 10);
  CHECK(messages->p50 == 2);
  // A figure no server reported gets no row (rather than a misleading 0).
  CHECK(figure(rows, "monthly_active_users") == nullptr);
}

TEST_CASE("a day's breakdowns keep every group with its servers (k is applied when read)") {
  std::vector<ServerFigures> servers;
  for (int i = 0; i < 6; ++i) servers.push_back(server({{"total_users", 1}}, "1.160.0", "psycopg2"));
  servers.push_back(server({{"total_users", 1}}, "1.150.0", "sqlite3"));
  servers.push_back(server({{"total_users", 1}}, "bad version!", ""));
  const DailyRows rows = daily_rows(aggregate(servers));
  CHECK(group(rows, "version", "1.160.0") == 6);
  CHECK(group(rows, "version", "1.150.0") == 1);  // a single server: stored, hidden at read time
  CHECK(group(rows, "version", "other") == 1);    // unsafe labels are never stored as sent
  CHECK(group(rows, "database_engine", "psycopg2") == 6);
  CHECK(group(rows, "database_engine", "sqlite3") == 1);
  CHECK(group(rows, "database_engine", "other") == 1);
  CHECK(rows.breakdowns.size() == 6);
}

TEST_CASE("a day without servers has no figure or breakdown rows") {
  const DailyRows rows = daily_rows(aggregate({}));
  CHECK(rows.servers == 0);
  CHECK(rows.figures.empty());
  CHECK(rows.breakdowns.empty());
}

TEST_CASE("array literals quote every element") {
  CHECK(array_literal({}) == "{}");
  CHECK(array_literal({"1.160.0", "psycopg2"}) == "{\"1.160.0\",\"psycopg2\"}");
  CHECK(array_literal({"a,b", "c\"d", "e\\f", "{g}", "NULL"}) == "{\"a,b\",\"c\\\"d\",\"e\\\\f\",\"{g}\",\"NULL\"}");
}
