#include "output/json.h"

#include <cmath>

namespace hsops::output {
namespace {

// JSON has no NaN/Inf: a figure that could not be determined is null ("U" in perfdata).
nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json to_json(const Measurement& m) {
  nlohmann::json j{
      {"label", m.label},
      {"value", number_or_null(m.value)},
      {"unit", m.unit},
      {"warning", m.warning ? nlohmann::json(m.warning->text()) : nlohmann::json(nullptr)},
      {"critical", m.critical ? nlohmann::json(m.critical->text()) : nlohmann::json(nullptr)},
      {"min", m.min ? number_or_null(*m.min) : nlohmann::json(nullptr)},
      {"max", m.max ? number_or_null(*m.max) : nlohmann::json(nullptr)},
      {"metric", m.metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.metric)},
      {"labels", m.metric_labels},
  };
  return j;
}

}  // namespace

nlohmann::json to_json(const CheckResult& result) {
  nlohmann::json measurements = nlohmann::json::array();
  for (const auto& m : result.measurements) measurements.push_back(to_json(m));
  return nlohmann::json{
      {"check", result.check},
      {"status", to_string(result.status)},
      {"exit_code", exit_code(result.status)},
      {"summary", result.summary},
      {"duration_seconds", result.duration_seconds},
      {"measurements", measurements},
      {"details", result.details},
  };
}

nlohmann::json json_report(const std::vector<CheckResult>& results, double generated_at_unix) {
  Status overall = results.empty() ? Status::unknown : Status::ok;
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& r : results) {
    overall = worst(overall, r.status);
    checks.push_back(to_json(r));
  }
  return nlohmann::json{
      {"schema_version", kJsonSchemaVersion},
      {"status", to_string(overall)},
      {"exit_code", exit_code(overall)},
      {"generated_at", generated_at_unix},
      {"checks", checks},
  };
}

}  // namespace hsops::output
