// `hsops failover plan|status`: a playbook validated and its steps printed against the state
// the databases and homeservers are in now (read-only), and who is primary, the replication,
// the last interrupted run.
#pragma once

#include <CLI/CLI.hpp>

#include "options.h"

namespace hsops::cli {

void setup_failover_command(CLI::App& app, const GlobalOptions& global);

}  // namespace hsops::cli
