// hsops-watchdog's main loop: loads the setup, runs the checks (CheckLoop), keeps the alerts
// (AlertKeeper), pages through the dispatcher, serves /metrics, /health and /api/v1/alerts,
// follows the ops room for acks, tells systemd how it is, and handles SIGHUP (reload) and
// SIGTERM/SIGINT (stop within 5 s). docs/watchdog.md.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace hsops::watchdog {

struct DaemonOptions {
  std::string config_path;                    // --config; "" = $HSOPS_CONFIG or /etc/hsops/hsops.yaml
  std::chrono::milliseconds tick{1000};       // how often the main loop looks at timers
};

// Runs until SIGTERM or SIGINT. Blocks SIGHUP, SIGTERM and SIGINT in the calling thread (and so
// in every thread it starts) and waits for them in the main loop. Returns 0 after a clean stop,
// 1 when the config is invalid or the port cannot be bound (the message says which and where).
int run_watchdog(const DaemonOptions& options, std::ostream& log);

}  // namespace hsops::watchdog
