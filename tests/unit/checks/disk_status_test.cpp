#include <catch2/catch.hpp>
#include <limits>

#include "checks/disk/verdict.h"

using namespace hsops::checks::disk;
using hsops::Status;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kHour = 3600;
}  // namespace

TEST_CASE("disk status: the node-mixin table / boundary by boundary", "[disk][status]") {
  const Thresholds t;  // defaults: 40 %/24 h, 20 %/4 h, floors 5 % / 3 %
  struct Row {
    double pct;
    std::optional<double> ttf;
    Status want;
  };
  const std::vector<Row> rows{
      // plenty of space: a steep trend alone does not alert
      {40.0, 1, Status::ok},
      {39.99, 24 * kHour, Status::warning},       // below 40 and full within exactly 24 h
      {39.99, 24 * kHour + 1, Status::ok},        // full just after the warning horizon
      {39.99, kInf, Status::ok},                  // not filling
      {39.99, std::nullopt, Status::ok},          // no prediction yet
      {20.0, 4 * kHour, Status::warning},         // 20 is not below 20: warning rule only
      {19.99, 4 * kHour, Status::critical},       // below 20 and full within exactly 4 h
      {19.99, 4 * kHour + 1, Status::warning},    // ... after 4 h but within 24 h
      {19.99, std::nullopt, Status::ok},
      // floors, regardless of trend
      {5.0, kInf, Status::ok},
      {4.99, kInf, Status::warning},
      {4.99, std::nullopt, Status::warning},
      {3.0, kInf, Status::warning},
      {2.99, kInf, Status::critical},
      {0.0, std::nullopt, Status::critical},
  };
  for (const auto& row : rows) {
    INFO("pct " << row.pct << " ttf " << (row.ttf ? *row.ttf : -1));
    const Verdict v = judge(row.pct, row.ttf, t);
    CHECK(v.status == row.want);
    CHECK(v.reason.empty() == (row.want == Status::ok));
  }
}

TEST_CASE("disk status: configured thresholds and -w/-c style floors", "[disk][status]") {
  Thresholds t;
  t.warn_free_percent = 50;
  t.warn_within = std::chrono::hours(48);
  t.crit_free_percent = 10;
  t.crit_within = std::chrono::hours(1);
  t.warn_floor = hsops::Range::parse("10:").value();
  t.crit_floor = hsops::Range::parse("5:").value();
  CHECK(judge(49, 47 * kHour, t).status == Status::warning);
  CHECK(judge(9, 3599, t).status == Status::critical);
  CHECK(judge(9.99, kInf, t).status == Status::warning);
  CHECK(judge(10, kInf, t).status == Status::ok);
  CHECK(judge(4.99, kInf, t).status == Status::critical);
  CHECK(judge(4.99, kInf, t).reason == "critical floor reached (range 5:)");
  CHECK(judge(9, 3599, t).reason.find("full within 1 h 0 min") != std::string::npos);
}

TEST_CASE("disk status: floor_range makes a below-N range", "[disk][status]") {
  CHECK(floor_range(5).text() == "5:");
  CHECK(floor_range(2.5).alerts(2.49));
  CHECK_FALSE(floor_range(2.5).alerts(2.5));
}
