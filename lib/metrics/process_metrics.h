// The process's own health on /metrics, under the names every Prometheus client uses
// (process_resident_memory_bytes, process_cpu_seconds_total, ...), read from /proc/self on
// each scrape: prometheus-cpp has no process collector.
#pragma once

#include <filesystem>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

namespace hsops::metrics {

class ProcessMetrics final : public prometheus::Collectable {
 public:
  explicit ProcessMetrics(std::filesystem::path proc_self = "/proc/self");
  // A /proc file that cannot be read leaves its series out rather than exporting a 0.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::filesystem::path proc_self_;
};

}  // namespace hsops::metrics
