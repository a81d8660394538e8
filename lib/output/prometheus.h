// Prometheus text exposition (format 0.0.4) of check results, for the textfile collector and
// for `--format prom`. Every metric is listed in docs/metrics.md.
#pragma once

#include <string>
#include <vector>

#include "core/check.h"

namespace hsops::output {

// Per check: hsops_check_status{check} (0-3), hsops_check_success{check} (1 unless UNKNOWN),
// hsops_check_duration_seconds{check}, hsops_check_last_run_timestamp_seconds{check}; then every
// measurement that names a metric ("%" values exported as a 0-1 ratio).
std::string prometheus_text(const std::vector<CheckResult>& results, double now_unix);

}  // namespace hsops::output
