#include "core/linear_fit.h"

#include <cmath>
#include <limits>

namespace hsops {
namespace {

// Kahan-compensated sum, as Prometheus uses: Unix timestamps are large, and the sums of
// their products would otherwise lose the digits the slope lives in.
struct KahanSum {
  double sum = 0;
  double c = 0;
  void add(double v) {
    const double y = v - c;
    const double t = sum + y;
    c = (t - sum) - y;
    sum = t;
  }
};

}  // namespace

std::optional<LinearFit> fit(std::span<const FitPoint> points, double at) {
  if (points.size() < 2) return std::nullopt;
  KahanSum sx, sy, sxx, sxy;
  for (const auto& p : points) {
    if (!std::isfinite(p.t) || !std::isfinite(p.y)) return std::nullopt;
    const double x = p.t - at;  // measured from "now": the intercept is the fitted value now
    sx.add(x);
    sy.add(p.y);
    sxx.add(x * x);
    sxy.add(x * p.y);
  }
  const double n = static_cast<double>(points.size());
  const double cov_xy = sxy.sum - sx.sum * sy.sum / n;
  const double var_x = sxx.sum - sx.sum * sx.sum / n;
  if (!(var_x > 0)) return std::nullopt;  // all samples at one instant: no slope to speak of
  LinearFit line;
  line.slope = cov_xy / var_x;
  line.intercept_at = sy.sum / n - line.slope * sx.sum / n;
  line.n = points.size();
  return line;
}

double time_until_zero(const LinearFit& line) {
  if (!(line.slope < 0)) return std::numeric_limits<double>::infinity();
  if (line.intercept_at <= 0) return 0;
  return line.intercept_at / -line.slope;
}

}  // namespace hsops
