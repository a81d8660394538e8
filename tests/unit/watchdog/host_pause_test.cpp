// Host pause: a late tick (frozen VM) and a suspend (boottime ran, monotonic did not).
#include <catch2/catch.hpp>

#include "watchdog/host_pause.h"

using namespace std::chrono_literals;
using hsops::watchdog::ClockReading;
using hsops::watchdog::PauseDetector;

namespace {
ClockReading at(std::chrono::milliseconds mono, std::chrono::milliseconds boot) {
  return {std::chrono::steady_clock::time_point(mono), boot};
}
}  // namespace

TEST_CASE("host pause: on-time and slightly late ticks are not pauses, the first tick neither") {
  PauseDetector d(1s, 5s);
  CHECK_FALSE(d.observe(at(100s, 100s)));
  CHECK_FALSE(d.observe(at(101s, 101s)));
  CHECK_FALSE(d.observe(at(106s, 106s)));  // 4 s late: below the 5 s threshold
}

TEST_CASE("host pause: a frozen VM shows as a late monotonic tick") {
  PauseDetector d(1s, 5s);
  (void)d.observe(at(100s, 100s));
  const auto p = d.observe(at(101s + 9min, 101s + 9min));
  REQUIRE(p.has_value());
  CHECK(p->lost == 9min);
  CHECK_FALSE(d.observe(at(102s + 9min, 102s + 9min)));  // back to normal
}

TEST_CASE("host pause: a suspend shows as boottime running ahead of monotonic") {
  PauseDetector d(1s, 5s);
  (void)d.observe(at(100s, 100s));
  const auto p = d.observe(at(101s, 101s + 2h));  // monotonic stopped while suspended
  REQUIRE(p.has_value());
  CHECK(p->lost == 2h);
}

TEST_CASE("host pause: the kernel's clocks read, boottime never behind monotonic's progress") {
  const auto a = hsops::watchdog::read_clocks();
  const auto b = hsops::watchdog::read_clocks();
  CHECK(b.monotonic >= a.monotonic);
  CHECK(b.boottime >= a.boottime);
  PauseDetector d(1s, 5s);
  (void)d.observe(a);
  CHECK_FALSE(d.observe(b));
}
