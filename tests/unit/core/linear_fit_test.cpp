#include "core/linear_fit.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

using hsops::FitPoint;

TEST_CASE("linear fit: a steady fall gives the exact time until zero", "[linear_fit]") {
  // 10 GB avail at now, shrinking 2 MB/s, sampled every 60 s over the last hour at Unix times.
  const double now = 1'700'000'000;
  std::vector<FitPoint> points;
  for (int i = 60; i >= 0; --i) {
    const double t = now - 60.0 * i;
    points.push_back({t, 10e9 - 2e6 * (t - now)});
  }
  const auto line = hsops::fit(points, now);
  REQUIRE(line);
  CHECK(line->n == 61);
  CHECK(std::fabs(line->slope - -2e6) < 1e-6);
  CHECK(std::fabs(line->intercept_at - 10e9) < 1e-3);
  CHECK(std::fabs(hsops::time_until_zero(*line) - 5000.0) < 1e-6);
}

TEST_CASE("linear fit: the intercept is the fitted value at `at` / not the last sample", "[linear_fit]") {
  // Last sample 100 s ago: at `now` the line has fallen 100 s * 3/s further.
  const std::vector<FitPoint> points{{0, 900}, {100, 600}, {200, 300}};
  const auto line = hsops::fit(points, 300);
  REQUIRE(line);
  CHECK(std::fabs(line->slope - -3.0) < 1e-9);
  CHECK(std::fabs(line->intercept_at - 0.0) < 1e-9);
  CHECK(hsops::time_until_zero(*line) == 0.0);
}

TEST_CASE("linear fit: a noisy series gives the textbook OLS figures", "[linear_fit]") {
  const std::vector<FitPoint> points{{0, 1010}, {10, 980}, {20, 990}, {30, 960}};
  const auto line = hsops::fit(points, 30);
  REQUIRE(line);
  // By hand: xbar 15, ybar 985, Sxy -700, Sxx 500 -> slope -1.4; at t=30: 985 - 1.4*15 = 964.
  CHECK(std::fabs(line->slope - -1.4) < 1e-9);
  CHECK(std::fabs(line->intercept_at - 964.0) < 1e-9);
  CHECK(std::fabs(hsops::time_until_zero(*line) - 964.0 / 1.4) < 1e-6);
}

TEST_CASE("linear fit: a constant series is not filling", "[linear_fit]") {
  const std::vector<FitPoint> points{{0, 500}, {60, 500}, {120, 500}};
  const auto line = hsops::fit(points, 120);
  REQUIRE(line);
  CHECK(line->slope == 0.0);
  CHECK(std::isinf(hsops::time_until_zero(*line)));
}

TEST_CASE("linear fit: a rising series is not filling", "[linear_fit]") {
  const std::vector<FitPoint> points{{0, 100}, {60, 200}, {120, 300}};
  const auto line = hsops::fit(points, 120);
  REQUIRE(line);
  CHECK(line->slope > 0);
  CHECK(std::isinf(hsops::time_until_zero(*line)));
}

TEST_CASE("linear fit: too few or degenerate points give no fit", "[linear_fit]") {
  CHECK_FALSE(hsops::fit(std::vector<FitPoint>{}, 0));
  CHECK_FALSE(hsops::fit(std::vector<FitPoint>{{0, 1}}, 0));
  CHECK_FALSE(hsops::fit(std::vector<FitPoint>{{5, 1}, {5, 2}}, 5));  // one instant
  CHECK_FALSE(hsops::fit(std::vector<FitPoint>{{0, 1}, {1, NAN}}, 1));
  const auto two = hsops::fit(std::vector<FitPoint>{{0, 10}, {10, 0}}, 10);
  REQUIRE(two);  // two points suffice for the math, as in predict_linear
  CHECK(std::fabs(two->slope - -1.0) < 1e-12);
}
