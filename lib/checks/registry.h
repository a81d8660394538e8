// The list of checks and how the CLI and the watchdog build them from config.
// Adding a check: lib/checks/<name>.{h,cpp} exporting `CheckInfo <name>_check_info()`, plus one
// line in registry.cpp. Nothing else (scheduler, formatter, CLI) changes.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/range.h"

namespace hsops::checks {

// What a check gets besides its own config section: clients and shared settings, by value or
// reference, never globals.
struct Services {
  const Clock& clock;
  config::GlobalConfig global;
  std::filesystem::path proc_root = "/proc";  // tests point this at a fixture tree
  // Command-line overrides (-w/-c in Nagios range syntax, -t); each check documents which
  // figure they apply to. Empty = use config.
  std::optional<std::string> warning;
  std::optional<std::string> critical;
  std::optional<Millis> timeout;
};

struct CheckInfo {
  std::string_view name;         // "disk": CLI subcommand, config key checks.<name>, label value
  std::string_view summary;      // one line for --help and docs
  std::string_view threshold_help;  // what -w/-c apply to, "" when the check takes none
  bool default_enabled = false;  // runs in `check all` without a config section
  std::string_view example;      // commented YAML for checks.<name>, for `hsops config example`
  // Reads the section (throwing ConfigError for bad values, then reject_unknown_keys()).
  std::shared_ptr<Check> (*make)(const config::Section& section, const Services& services) = nullptr;
};

const std::vector<CheckInfo>& all_checks();
const CheckInfo* find_check(std::string_view name);

// Builds one check by name from root's checks.<name> section; ConfigError on bad config.
std::shared_ptr<Check> build_check(const CheckInfo& info, const config::Section& root, const Services& services);

// The checks `check all` runs: default-enabled ones and every configured one, minus those with
// `enabled: false`. Rejects unknown check names under `checks:` with file:line:column.
std::vector<std::shared_ptr<Check>> build_enabled_checks(const config::Section& root, const Services& services);

// How long the runner waits for a check before giving up (its own deadlines + grace).
std::chrono::milliseconds backstop_for(const Services& services);

// A -w/-c override from the command line: nullopt when not given; a bad range is a
// ConfigError located at "command line" that names the flag.
std::optional<Range> cli_range(const std::optional<std::string>& text, const char* flag);

}  // namespace hsops::checks
