// Nagios threshold ranges ([@]start:end), as in the monitoring-plugins developer guidelines:
// "10" alerts outside 0..10, "10:" below 10, "~:10" above 10, "10:20" outside, "@10:20" inside.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops {

class Range {
 public:
  static Result<Range> parse(std::string_view text);

  // True when `value` is one that should raise the alert this range stands for.
  bool alerts(double value) const;

  // The text form, normalised, for perfdata and messages (e.g. "10:", "~:5", "@1:2").
  const std::string& text() const { return text_; }
  double start() const { return start_; }
  double end() const { return end_; }
  bool inside() const { return inside_; }

 private:
  Range(double start, double end, bool inside, std::string text)
      : start_(start), end_(end), inside_(inside), text_(std::move(text)) {}
  double start_;
  double end_;
  bool inside_;
  std::string text_;
};

}  // namespace hsops
