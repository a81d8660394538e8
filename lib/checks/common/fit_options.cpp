#include "checks/common/fit_options.h"

namespace hsops::checks {

std::chrono::seconds positive_seconds(const config::Section& s, std::string_view key, std::chrono::seconds fallback) {
  return std::chrono::duration_cast<std::chrono::seconds>(
      s.positive_duration(key, std::chrono::duration_cast<Millis>(fallback)));
}

FitOptions read_fit_options(const config::Section& s, const FitOptions& defaults, bool with_forget_after) {
  FitOptions o = defaults;
  o.state_file = s.string("state_file", defaults.state_file);
  o.bounds.window = positive_seconds(s, "fit_window", defaults.bounds.window);
  const auto max_samples = s.integer_in("max_samples", static_cast<std::int64_t>(defaults.bounds.max_samples), 2, 100000);
  o.bounds.max_samples = static_cast<std::size_t>(max_samples);
  const auto min_samples = s.integer("min_samples", static_cast<std::int64_t>(defaults.min_samples));
  if (min_samples < 2 || min_samples > max_samples) s.fail("min_samples", "must be between 2 and max_samples");
  o.min_samples = static_cast<std::size_t>(min_samples);
  o.min_span = std::chrono::duration_cast<std::chrono::seconds>(
      s.duration("min_span", std::chrono::duration_cast<Millis>(defaults.min_span)));
  if (o.min_span > o.bounds.window) s.fail("min_span", "must not exceed fit_window");
  if (with_forget_after) o.bounds.forget_after = positive_seconds(s, "forget_after", defaults.bounds.forget_after);
  return o;
}

}  // namespace hsops::checks
