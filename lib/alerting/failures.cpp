#include "alerting/failures.h"

#include <map>

namespace hsops::alerting {
namespace {

Failure failure(const std::string& check, Labels labels, Severity severity) {
  return Failure{fingerprint_of(check, labels), std::move(labels), severity};
}

// Breached, labelled measurements grouped by label set, each with its worst status.
std::map<Labels, Status> breached_label_sets(const CheckResult& result) {
  std::map<Labels, Status> sets;
  for (const auto& m : result.measurements) {
    const Status s = evaluate(m);
    if (s == Status::ok || m.metric_labels.empty()) continue;
    auto [it, added] = sets.emplace(m.metric_labels, s);
    if (!added) it->second = worst(it->second, s);
  }
  return sets;
}

}  // namespace

std::vector<Failure> failures_of(const CheckResult& result) {
  if (result.status == Status::ok) return {};
  if (result.status == Status::unknown) {
    return {failure(result.check, Labels{{"hsops_state", "unknown"}}, Severity::unknown)};
  }
  std::vector<Failure> out;
  for (const auto& [labels, status] : breached_label_sets(result)) {
    out.push_back(failure(result.check, labels, severity_of(status)));
  }
  if (out.empty()) out.push_back(failure(result.check, {}, severity_of(result.status)));
  return out;
}

}  // namespace hsops::alerting
