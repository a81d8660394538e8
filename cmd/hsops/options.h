// Options shared by the hsops subcommands, and the config-loading step they all begin with.
#pragma once

#include <optional>
#include <string>

#include "config/config.h"

namespace hsops::cli {

struct GlobalOptions {
  std::string config_path;  // --config; "" = $HSOPS_CONFIG or /etc/hsops/hsops.yaml
  int verbosity = 0;        // -v, repeatable
};

// The config document: --config (must exist), else $HSOPS_CONFIG (must exist), else
// /etc/hsops/hsops.yaml when present, else built-in local defaults. Throws ConfigError.
config::Document load_config(const GlobalOptions& options);

}  // namespace hsops::cli
