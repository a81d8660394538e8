#include <catch2/catch.hpp>

#include "stats/collector/rate_limit.h"

using hsops::stats::RateLimiter;
using namespace std::chrono_literals;

TEST_CASE("a burst is allowed then refused then refilled") {
  RateLimiter limiter(1.0, 3.0);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("a", t0));
  CHECK_FALSE(limiter.allow("a", t0));
  CHECK(limiter.allow("b", t0));  // another client is not affected
  CHECK(limiter.allow("a", t0 + 1s));
  CHECK_FALSE(limiter.allow("a", t0 + 1s));
}

TEST_CASE("the client table is bounded") {
  RateLimiter limiter(1.0, 2.0, 2);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  CHECK(limiter.allow("a", t0));
  CHECK(limiter.allow("b", t0));
  CHECK_FALSE(limiter.allow("c", t0));      // full, nobody idle
  CHECK(limiter.allow("c", t0 + 10s));      // a and b refilled: forgotten
  CHECK(limiter.clients() <= 2);
}
