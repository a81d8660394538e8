// `hsops check <name>|all`: run checks and print them as Nagios lines, JSON or Prometheus text.
#pragma once

#include <CLI/CLI.hpp>

#include "options.h"

namespace hsops::cli {

void setup_check_command(CLI::App& app, const GlobalOptions& global);

}  // namespace hsops::cli
