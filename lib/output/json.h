// The JSON report: one stable, documented schema (docs/json.md) for one check or many.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/check.h"

namespace hsops::output {

inline constexpr int kJsonSchemaVersion = 1;

nlohmann::json to_json(const CheckResult& result);
// {"schema_version", "status", "exit_code", "generated_at", "checks": [...]}.
nlohmann::json json_report(const std::vector<CheckResult>& results, double generated_at_unix);

}  // namespace hsops::output
