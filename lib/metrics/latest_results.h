// The watchdog's /metrics view of the checks: the last result of each check, handed to
// prometheus-cpp as a Collectable. A scrape copies a snapshot under a short lock and never
// waits for a check; the series are those of `hsops check --format prom` (docs/metrics.md).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "core/check.h"

namespace hsops::metrics {

class LatestResults final : public prometheus::Collectable {
 public:
  // Replaces the check's previous result: a series the new result no longer has (a dropped
  // slot, a removed bridge) disappears from the next scrape instead of going stale.
  void update(const CheckResult& result, double ran_at_unix);
  // Drops the checks not named (a reload removed them): their series end instead of freezing.
  void retain_only(const std::vector<std::string>& checks);
  std::vector<prometheus::MetricFamily> Collect() const override;
  std::vector<CheckResult> results() const;  // the last result of each check, by name

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::pair<CheckResult, double>> latest_;
};

}  // namespace hsops::metrics
