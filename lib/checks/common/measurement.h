// One figure of a check's result, built the same way by every check: perfdata label, value in
// base units, unit, Prometheus metric with its bounded labels, and the help line.
#pragma once

#include <map>
#include <string>

#include "core/check.h"

namespace hsops::checks {

Measurement measurement(std::string label, double value, std::string unit, std::string metric, std::string help,
                        std::map<std::string, std::string> metric_labels = {});

}  // namespace hsops::checks
