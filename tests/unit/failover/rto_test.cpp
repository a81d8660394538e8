#include <catch2/catch.hpp>

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
