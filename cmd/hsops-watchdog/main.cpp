// hsops-watchdog: runs every check hsops knows on its interval, pages through the configured
// notifiers and escalates until someone acks, serves /metrics. Everything but argument
// parsing lives in lib/watchdog (docs/watchdog.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "watchdog/daemon.h"

int main(int argc, char** argv) {
  CLI::App app{"hsops-watchdog: runs the hsops checks continuously, pages and escalates until acked, serves /metrics.\n"
               "Config: the watchdog: section of hsops.yaml (hsops config example). Reload: SIGHUP. Docs: docs/watchdog.md",
               "hsops-watchdog"};
  app.set_version_flag("-V,--version", "hsops-watchdog " HSOPS_VERSION);
  hsops::watchdog::DaemonOptions options;
  app.add_option("--config", options.config_path,
                 "Config file (default: $HSOPS_CONFIG, else /etc/hsops/hsops.yaml if present, else built-in defaults)")
      ->option_text("FILE");
  CLI11_PARSE(app, argc, argv);
  return hsops::watchdog::run_watchdog(options, std::cerr);
}
