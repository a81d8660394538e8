// `hsops report-stats collect|push`: the figures Synapse reports, from its database.
#pragma once

#include <CLI/CLI.hpp>

#include "options.h"

namespace hsops::cli {

void setup_report_stats_command(CLI::App& app, const GlobalOptions& global);

}  // namespace hsops::cli
