// hsops: the on-call CLI. Parses arguments and hands over to lib/ through the subcommands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "alerts_command.h"
#include "check_command.h"
#include "config_command.h"
#include "failover_command.h"
#include "options.h"
#include "report_stats_command.h"

int main(int argc, char** argv) {
  CLI::App app{"hsops: operations and monitoring toolkit for Matrix homeservers.\n"
               "Checks print one Nagios line each (OK/WARNING/CRITICAL/UNKNOWN) and exit 0/1/2/3.\n"
               "Docs: README.md, docs/config.md, docs/metrics.md, docs/json.md", "hsops"};
  app.set_version_flag("-V,--version", "hsops " HSOPS_VERSION);
  hsops::cli::GlobalOptions global;
  app.add_option("--config", global.config_path,
                 "Config file (default: $HSOPS_CONFIG, else /etc/hsops/hsops.yaml if present, else built-in "
                 "defaults for this host)")
      ->option_text("FILE");
  app.add_flag("-v,--verbose", global.verbosity, "More detail; repeat for more (-vv)");
  app.require_subcommand(1);
  app.fallthrough();  // --config and -v may also follow the subcommand

  hsops::cli::setup_check_command(app, global);
  hsops::cli::setup_config_command(app, global);
  hsops::cli::setup_report_stats_command(app, global);
  hsops::cli::setup_alerts_command(app, global);
  hsops::cli::setup_failover_command(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Misuse is UNKNOWN in the plugin convention; CLI11 prints the message and usage hint.
    app.exit(e);
    return 3;
  }
  return 0;
}
