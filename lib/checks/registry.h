// The list of checks and how the CLI and the watchdog build them from config.
// Adding a check: one folder lib/checks/<name>/ whose config.h exports
// `CheckInfo <name>_check_info()` (check_info.h), plus one line in registry.cpp. Nothing else
// (scheduler, formatter, CLI) changes.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/check_info.h"

namespace hsops::checks {

const std::vector<CheckInfo>& all_checks();
// Their names, in registry order.
std::vector<std::string> check_names();
const CheckInfo* find_check(std::string_view name);

// Builds one check by name from root's checks.<name> section; ConfigError on bad config.
std::shared_ptr<Check> build_check(const CheckInfo& info, const config::Section& root, const Services& services);

// The checks `check all` runs: default-enabled ones and every configured one, minus those with
// `enabled: false`. Rejects unknown check names under `checks:` with file:line:column.
std::vector<const CheckInfo*> enabled_checks(const config::Section& root);

// Reads (and so validates) every enabled check's section without building the checks: a
// check's make() may open state files or clients, which only the check that runs should do.
// Returns the enabled checks. ConfigError on bad config.
std::vector<const CheckInfo*> validate_enabled_checks(const config::Section& root, const Services& services);

// Validates and builds every enabled check (see enabled_checks).
std::vector<std::shared_ptr<Check>> build_enabled_checks(const config::Section& root, const Services& services);

// How long the runner waits for a check before giving up (its own deadlines + grace).
std::chrono::milliseconds backstop_for(const Services& services);

}  // namespace hsops::checks
