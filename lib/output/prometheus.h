// Prometheus text exposition (format 0.0.4) of check results, for the textfile collector and
// for `--format prom`. Every metric is listed in docs/metrics.md.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/check.h"

namespace hsops::output {

// Per check: hsops_check_status{check} (0-3), hsops_check_success{check} (1 unless UNKNOWN),
// hsops_check_duration_seconds{check}, hsops_check_last_run_timestamp_seconds{check}; then every
// measurement that names a metric ("%" values exported as a 0-1 ratio).
std::string prometheus_text(const std::vector<CheckResult>& results, double now_unix);

// One sample of the exposition, before it is written as text or handed to prometheus-cpp.
struct Sample {
  std::string name;
  std::string help;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// What one result exports, in exposition order: the four hsops_check_* series (the last run
// stamped `ran_at_unix`), then each measurement that names a metric ("%" as a 0-1 ratio).
std::vector<Sample> result_samples(const CheckResult& result, double ran_at_unix);

}  // namespace hsops::output
