#include "checks/common/measurement.h"

#include <utility>

namespace hsops::checks {

Measurement measurement(std::string label, double value, std::string unit, std::string metric, std::string help,
                        std::map<std::string, std::string> metric_labels) {
  Measurement m;
  m.label = std::move(label);
  m.value = value;
  m.unit = std::move(unit);
  m.metric = std::move(metric);
  m.metric_labels = std::move(metric_labels);
  m.help = std::move(help);
  return m;
}

}  // namespace hsops::checks
