// What the watchdog runs, read from hsops.yaml: the checks `hsops check all` runs (the same
// registry, so a new check needs no watchdog change), each with its interval and backstop,
// and the `watchdog:` section. SIGHUP reads a new config through here before anything swaps.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "watchdog/check_loop.h"
#include "watchdog/config.h"

namespace hsops::watchdog {

struct WatchdogSetup {
  std::string config_file;  // "" when running on built-in defaults
  config::GlobalConfig global;
  WatchdogConfig watchdog;
  std::vector<LoopCheck> checks;
  std::vector<std::string> warnings;  // the document's (deprecated keys, ...) and the watchdog's own
};

// Validates the whole document (unknown keys anywhere are errors, as in `config validate`)
// and builds the enabled checks. Throws config::ConfigError naming file:line:column.
WatchdogSetup load_setup(const config::Document& doc, const Clock& clock);

// A Matrix notifier posting into the monitored homeserver: when that homeserver is down, the
// page about it is not delivered. Warnings, one per such notifier.
std::vector<std::string> same_homeserver_warnings(const config::Section& root, const WatchdogConfig& config);

}  // namespace hsops::watchdog
