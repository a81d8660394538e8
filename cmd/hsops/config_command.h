// `hsops config validate|example`.
#pragma once

#include <CLI/CLI.hpp>

#include "options.h"

namespace hsops::cli {

void setup_config_command(CLI::App& app, const GlobalOptions& global);

}  // namespace hsops::cli
