// Options shared by the hsops subcommands, and the config-loading step they all begin with.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace hsops::cli {

struct GlobalOptions {
  std::string config_path;  // --config; "" = $HSOPS_CONFIG or /etc/hsops/hsops.yaml
  int verbosity = 0;        // -v, repeatable
};

// The config document: --config (must exist), else $HSOPS_CONFIG (must exist), else
// /etc/hsops/hsops.yaml when present, else built-in local defaults. Throws ConfigError.
config::Document load_config(const GlobalOptions& options);

// Reads (and so validates) the top-level sections that are not checks (report_stats,
// watchdog), so `hsops check` and `hsops config validate` accept and check them. Throws
// ConfigError. `check_names`: the registry's, for the watchdog's per-check settings. Returns
// warnings (a Matrix notifier on the monitored homeserver).
std::vector<std::string> read_other_sections(const config::Section& root, const config::GlobalConfig& global,
                                             const std::vector<std::string>& check_names);

}  // namespace hsops::cli
