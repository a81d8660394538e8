// One entry point for the three output formats, so the CLI and the watchdog print the same.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/check.h"

namespace hsops::output {

enum class Format { nagios, json, prom };

// "nagios", "json", "prom"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);

// The report for stdout: Nagios lines (details from verbosity 1), the JSON report (docs/json.md)
// or Prometheus text. `now_unix` stamps JSON and Prometheus output. Ends with a newline.
std::string render(const std::vector<CheckResult>& results, Format format, int verbosity, double now_unix);

}  // namespace hsops::output
