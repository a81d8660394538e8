#include <catch2/catch.hpp>

#include "checks/failover_drill/verdict.h"

using namespace hsops::checks::failover_drill;
using hsops::Status;

namespace {
constexpr double kNow = 1'700'000'000;
constexpr double kDay = 86400;

DrillRecord drill(bool ok, double age, std::optional<double> rto = 40) {
  DrillRecord d;
  d.run_id = "r" + std::to_string(static_cast<long long>(age));
  d.ok = ok;
  d.started_at = kNow - age;
  d.rto_seconds = rto;
  return d;
}
}  // namespace

TEST_CASE("failover_drill status: the rule table boundary by boundary", "[failover_drill][status]") {
  Thresholds t;  // max_age 8 d
  t.rto_budget_seconds = 60;
  struct Row {
    const char* what;
    Drills drills;
    Status want;
  };
  const std::vector<Row> rows{
      {"nothing recorded", {}, Status::unknown},
      {"a corrupt file", {drill(true, 1), {}, "last-drill.json: not a JSON object"}, Status::unknown},
      {"last good drill a day old", {drill(true, kDay), drill(true, kDay), ""}, Status::ok},
      {"exactly max_age old", {drill(true, 8 * kDay), {}, ""}, Status::ok},
      {"a second past max_age", {drill(true, 8 * kDay + 1), {}, ""}, Status::critical},
      {"last failed and a good one before", {drill(false, kDay), drill(true, 2 * kDay), ""}, Status::critical},
      {"drills ran but none succeeded", {drill(false, kDay), {}, ""}, Status::critical},
      {"only the good file (last-drill.json removed)", {{}, drill(true, kDay), ""}, Status::ok},
      {"RTO exactly the budget", {drill(true, kDay, 60), {}, ""}, Status::ok},
      {"RTO over the budget", {drill(true, kDay, 60.5), {}, ""}, Status::warning},
      {"RTO not measured", {drill(true, kDay, std::nullopt), {}, ""}, Status::ok},
      {"stale and over budget", {drill(true, 9 * kDay, 61), {}, ""}, Status::critical},
      {"a clock behind the report", {drill(true, -600), {}, ""}, Status::ok},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const Verdict v = judge(row.drills, kNow, t);
    CHECK(v.status == row.want);
    CHECK(v.reasons.empty() == (row.want == Status::ok));
  }
}

TEST_CASE("failover_drill status: reasons say what and when", "[failover_drill][status]") {
  Thresholds t;
  auto failed = drill(false, 3600);
  failed.left_state = "db2 stays primary; hs2 serves";
  const Verdict v = judge({failed, drill(true, 9 * kDay), ""}, kNow, t);
  REQUIRE(v.reasons.size() == 2);
  CHECK(v.reasons[0] == "last drill 1 h 0 min ago FAILED: db2 stays primary; hs2 serves");
  CHECK(v.reasons[1].find("last good drill 9 d") == 0);
  CHECK(judge({}, kNow, t).reasons[0].find("hsops failover drill") != std::string::npos);
  t.rto_budget_seconds = 30;
  CHECK(judge({drill(true, 60, 45), {}, ""}, kNow, t).reasons[0].find("RTO 45") == 0);
  t.rto_budget_seconds.reset();
  CHECK(judge({drill(true, 60, 4500), {}, ""}, kNow, t).status == Status::ok);  // no budget, no RTO rule
}

TEST_CASE("failover_drill status: the newest good drill is either file", "[failover_drill][status]") {
  CHECK_FALSE(newest_good({}));
  CHECK(newest_good({drill(true, 10), drill(true, 20), ""})->started_at == kNow - 10);
  CHECK(newest_good({drill(false, 10), drill(true, 20), ""})->started_at == kNow - 20);
  CHECK_FALSE(newest_good({drill(false, 10), {}, ""}));
}
