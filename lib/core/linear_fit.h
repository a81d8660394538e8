// Ordinary least squares over (time, value) samples, measured from a chosen "now" the way
// PromQL's predict_linear/deriv do it, so hsops and a Prometheus rule agree on the figure.
// Used by the disk check (avail bytes, free inodes) and, later, the WAL check.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace hsops {

struct FitPoint {
  double t = 0;  // seconds (e.g. Unix time); only differences matter
  double y = 0;  // the gauge: bytes, inodes, ...
};

struct LinearFit {
  double slope = 0;         // change of y per second (negative = shrinking)
  double intercept_at = 0;  // fitted y at the `at` time given to fit(), not the last sample
  std::size_t n = 0;        // samples used
};

// Fits y = intercept_at + slope * (t - at). Needs at least 2 points at distinct times and
// finite values; otherwise nullopt (as predict_linear returns nothing for < 2 samples).
std::optional<LinearFit> fit(std::span<const FitPoint> points, double at);

// Seconds from `at` until the fitted line reaches zero: fitted_now / -slope when the slope is
// negative, 0 when the fitted value is already <= 0, +infinity when not shrinking.
double time_until_zero(const LinearFit& line);

}  // namespace hsops
