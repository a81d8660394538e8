#include "metrics/latest_results.h"

#include <algorithm>

#include <set>

#include "output/prometheus.h"

namespace hsops::metrics {

void LatestResults::update(const CheckResult& result, double ran_at_unix) {
  std::lock_guard lock(mutex_);
  latest_.insert_or_assign(result.check, std::make_pair(result, ran_at_unix));
}

void LatestResults::retain_only(const std::vector<std::string>& checks) {
  std::lock_guard lock(mutex_);
  std::erase_if(latest_, [&](const auto& entry) {
    return std::find(checks.begin(), checks.end(), entry.first) == checks.end();
  });
}

std::vector<CheckResult> LatestResults::results() const {
  std::lock_guard lock(mutex_);
  std::vector<CheckResult> out;
  for (const auto& [name, entry] : latest_) out.push_back(entry.first);
  return out;
}

std::vector<prometheus::MetricFamily> LatestResults::Collect() const {
  std::map<std::string, std::pair<CheckResult, double>> snapshot;
  {
    std::lock_guard lock(mutex_);
    snapshot = latest_;
  }
  std::vector<prometheus::MetricFamily> families;
  std::map<std::string, std::size_t> index;
  std::set<std::pair<std::string, std::map<std::string, std::string>>> seen;  // a name+labels once
  for (const auto& [name, entry] : snapshot) {
    for (auto& sample : output::result_samples(entry.first, entry.second)) {
      if (!seen.emplace(sample.name, sample.labels).second) continue;
      auto [it, inserted] = index.try_emplace(sample.name, families.size());
      if (inserted) {
        families.push_back({sample.name, sample.help.empty() ? sample.name : sample.help, prometheus::MetricType::Gauge, {}});
      }
      prometheus::ClientMetric metric;
      for (const auto& [key, value] : sample.labels) metric.label.push_back({key, value});
      metric.gauge.value = sample.value;
      families[it->second].metric.push_back(std::move(metric));
    }
  }
  return families;
}

}  // namespace hsops::metrics
