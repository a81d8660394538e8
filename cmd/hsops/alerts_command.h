// `hsops alerts list|ack|silence`: the running watchdog's alerts, over its HTTP API.
#pragma once

#include <CLI/CLI.hpp>

#include "options.h"

namespace hsops::cli {

void setup_alerts_command(CLI::App& app, const GlobalOptions& global);

}  // namespace hsops::cli
