// Nagios plugin output: "DISK WARNING - summary | 'label'=value[UOM];warn;crit;min;max ...".
#pragma once

#include <string>
#include <vector>

#include "core/check.h"

namespace hsops::output {

// The perfdata part (without the leading "|"), in the monitoring-plugins format.
std::string perfdata(const std::vector<Measurement>& measurements);

// One line for one check: "<CHECK> <STATUS> - <summary> | <perfdata>".
std::string nagios_line(const CheckResult& result);

// The whole report: one line per check; with verbosity >= 1 each check's details follow its
// line, indented. Ends with a newline.
std::string nagios_report(const std::vector<CheckResult>& results, int verbosity);

}  // namespace hsops::output
