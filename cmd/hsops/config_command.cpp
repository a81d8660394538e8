#include "config_command.h"

#include <cstdlib>
#include <iostream>

#include "checks/example_config.h"
#include "watchdog/config.h"
#include "checks/registry.h"
#include "core/clock.h"

namespace hsops::cli {
namespace {

// Exit 0 when valid (warnings go to stderr), 1 when not, with file:line:column and the fix.
[[noreturn]] void validate(const GlobalOptions& global) {
  static const SystemClock clock;
  try {
    const config::Document doc = load_config(global);
    const config::Section root = doc.root();
    const checks::Services services{.clock = clock, .global = config::read_global(root)};
    const auto enabled = checks::validate_enabled_checks(root, services);
    const auto watchdog_warnings = read_other_sections(root, services.global, checks::check_names());
    root.reject_unknown_keys();
    for (const auto& w : doc.warnings()) std::cerr << "warning: " << w << '\n';
    for (const auto& w : watchdog_warnings) std::cerr << "warning: " << w << '\n';
    std::string names;
    for (const auto* info : enabled) names += (names.empty() ? "" : ", ") + std::string(info->name);
    const std::string where = doc.file().empty() ? std::string("no config file (built-in defaults)") : doc.file();
    std::cout << where << ": valid; checks enabled: " << (names.empty() ? "none" : names) << '\n';
    std::cout.flush();
    std::_Exit(0);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    std::_Exit(1);
  }
}

}  // namespace

void setup_config_command(CLI::App& app, const GlobalOptions& global) {
  auto* config = app.add_subcommand("config", "Validate the config file or print a commented example");
  config->require_subcommand(1);
  config->add_subcommand("validate", "Check the config (--config, $HSOPS_CONFIG or /etc/hsops/hsops.yaml); "
                                     "exit 0 if valid, 1 with file:line:column of the first problem")
      ->callback([&global] { validate(global); });
  config->add_subcommand("example", "Print a fully commented example config with every key and its default")
      ->callback([] { std::cout << checks::example_config() << watchdog::example_section(); });
}

}  // namespace hsops::cli
