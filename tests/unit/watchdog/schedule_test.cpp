// The watchdog's schedule: first runs spread, one interval apart with a little jitter, never
// two runs of one check at once, no catch-up burst after an overrun, run_now.
#include <catch2/catch.hpp>

#include "watchdog/schedule.h"

using namespace std::chrono_literals;
using hsops::watchdog::Monotonic;
using hsops::watchdog::Schedule;

namespace {
const Monotonic t0{std::chrono::hours(1)};
}

TEST_CASE("schedule: first runs are spread within the first delay, the same on every start") {
  const Schedule a({{"disk", 300s}, {"probe", 60s}, {"clock", 5s}}, t0, 7);
  const Schedule b({{"disk", 300s}, {"probe", 60s}, {"clock", 5s}}, t0, 7);
  for (const char* name : {"disk", "probe", "clock"}) {
    REQUIRE(a.due_at(name).has_value());
    CHECK(*a.due_at(name) == *b.due_at(name));
    CHECK(*a.due_at(name) >= t0);
    CHECK(*a.due_at(name) < t0 + 10s);
  }
  CHECK(*a.due_at("clock") < t0 + 5s);  // never later than one interval
  CHECK_FALSE(a.due_at("wal").has_value());
}

TEST_CASE("schedule: one interval after the due time plus at most 5 % jitter, never two at once") {
  Schedule s({{"probe", 60s}}, t0, 1, 0ms);
  CHECK(s.take_due(t0) == std::vector<std::string>{"probe"});
  CHECK(s.running("probe"));
  CHECK(s.take_due(t0 + 120s).empty());  // still running: not started again
  CHECK_FALSE(s.next_wakeup().has_value());
  s.finished("probe", t0 + 2s);
  const auto next = *s.due_at("probe");
  CHECK(next >= t0 + 60s);
  CHECK(next <= t0 + 63s);
  CHECK(s.next_wakeup() == next);
  CHECK(s.take_due(next - 1ms).empty());
  CHECK(s.take_due(next) == std::vector<std::string>{"probe"});
}

TEST_CASE("schedule: a run that overran its interval is followed at once, without catch-up runs") {
  Schedule s({{"wal", 10s}}, t0, 1, 0ms);
  REQUIRE(s.take_due(t0).size() == 1);
  s.finished("wal", t0 + 45s);  // four intervals late
  CHECK(*s.due_at("wal") == t0 + 45s);
  REQUIRE(s.take_due(t0 + 45s).size() == 1);
  s.finished("wal", t0 + 46s);
  CHECK(*s.due_at("wal") >= t0 + 55s);  // back to one interval, not 5 runs in a row
}

TEST_CASE("schedule: run_now brings a waiting check forward and leaves a running one alone") {
  Schedule s({{"clock", 60s}, {"disk", 300s}}, t0, 3, 0ms);
  REQUIRE(s.take_due(t0).size() == 2);
  s.finished("clock", t0 + 1s);
  CHECK(s.run_now("clock", t0 + 5s));
  CHECK(s.take_due(t0 + 5s) == std::vector<std::string>{"clock"});
  CHECK_FALSE(s.run_now("disk", t0 + 5s));  // running
  CHECK_FALSE(s.run_now("nope", t0 + 5s));
}
