// The process's own series, read from /proc/self: present, plausible, and absent (not zero)
// when /proc cannot be read.
#include <catch2/catch.hpp>

#include <map>

#include "metrics/process_metrics.h"

TEST_CASE("process metrics: memory, CPU, start time and descriptors of this process") {
  const auto families = hsops::metrics::ProcessMetrics().Collect();
  std::map<std::string, double> value;
  for (const auto& f : families) {
    REQUIRE(f.metric.size() == 1);
    value[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value : f.metric[0].gauge.value;
  }
  CHECK(value["process_resident_memory_bytes"] > 1024 * 1024);
  CHECK(value["process_virtual_memory_bytes"] >= value["process_resident_memory_bytes"]);
  CHECK(value["process_cpu_seconds_total"] >= 0);
  CHECK(value["process_threads"] >= 1);
  CHECK(value["process_open_fds"] >= 3);
  CHECK(value["process_start_time_seconds"] > 1.6e9);
}

TEST_CASE("process metrics: no /proc, no series") {
  CHECK(hsops::metrics::ProcessMetrics("/nonexistent/proc/self").Collect().empty());
}
