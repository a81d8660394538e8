#include <catch2/catch.hpp>

#include "failover/report_text.h"
#include "failover/rto.h"

using namespace hsops::failover;

namespace {

StepReport step(std::string type, double at, double seconds, StepState state = StepState::done) {
  StepReport s;
  s.type = std::move(type);
  s.started_at = at;
  s.seconds = seconds;
  s.state = state;
  return s;
}

}  // namespace

TEST_CASE("rto: one outage from the first stopped write to the first good probe", "[failover][unit]") {
  RunReport r;
  r.steps = {step("pg.check_replication", 100, 0.1), step("homeserver.stop", 101, 0.5), step("pg.fence", 102, 0.5),
             step("homeserver.start", 103, 4), step("probe", 108, 1.5)};
  REQUIRE(outage_seconds(r) == std::vector<double>{8.5});
}

TEST_CASE("rto: a drill has an outage there and one back", "[failover][unit]") {
  RunReport r;
  r.steps = {step("homeserver.stop", 10, 1), step("probe", 15, 1), step("pg.reattach", 16, 1),
             step("homeserver.stop", 20, 1), step("pg.fence", 21, 1), step("probe", 26, 2)};
  REQUIRE(outage_seconds(r) == std::vector<double>{6, 8});
}

TEST_CASE("rto: a failed probe does not end the outage and none without a good probe", "[failover][unit]") {
  RunReport r;
  r.steps = {step("pg.fence", 10, 1), step("probe", 12, 3, StepState::failed)};
  CHECK(outage_seconds(r).empty());
  r.steps.push_back(step("probe", 20, 1));
  REQUIRE(outage_seconds(r) == std::vector<double>{11});
}

TEST_CASE("rto: a probe before anything stopped writes is no outage and skipped steps start none", "[failover][unit]") {
  RunReport r;
  r.steps = {step("probe", 5, 1), step("homeserver.stop", 0, 0, StepState::skipped), step("pg.fence", 9, 1),
             step("probe", 12, 1)};
  REQUIRE(outage_seconds(r) == std::vector<double>{4});
}

TEST_CASE("failover summary: RTO there and back and the zero-loss evidence and one line per step", "[failover][unit]") {
  RunReport r;
  r.run_id = "20261205T224719Z-5334";
  r.operation = "drill";
  r.ok = true;
  r.seconds = 23.2;
  r.left_state = "every step done";
  r.steps = {step("homeserver.stop", 10, 1), step("pg.wait_replay", 11, 0.03), step("probe", 15, 1),
             step("homeserver.stop", 20, 1), step("probe", 26, 2)};
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    r.steps[i].index = static_cast<int>(i + 1);
    r.steps[i].node = "db1";
  }
  r.steps[1].detail = "db2 replayed 0/38450C8 >= 0/3845050: nothing lost";
  r.steps[4].over_budget = true;
  const auto text = summary_text(r, "hs1");
  CHECK(text.rfind("drill 20261205T224719Z-5334 on hs1: OK in 23.2 s\nRTO there 6.0 s, back 8.0 s (", 0) == 0);
  CHECK(text.find("zero loss: db2 replayed 0/38450C8 >= 0/3845050: nothing lost\n") != std::string::npos);
  CHECK(text.find("\n 2    pg.wait_replay        db1       30 ms       done\n") != std::string::npos);
  CHECK(text.find("done (OVER BUDGET)\n") != std::string::npos);
  CHECK(text.substr(text.size() - 22) == "left: every step done\n");
}
