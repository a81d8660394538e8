#include "options.h"

#include "stats/sender/report_stats.h"
#include "watchdog/config.h"
#include "watchdog/setup.h"

namespace hsops::cli {

config::Document load_config(const GlobalOptions& options) { return config::load_document(options.config_path); }

std::vector<std::string> read_other_sections(const config::Section& root, const config::GlobalConfig& global,
                                             const std::vector<std::string>& check_names) {
  if (root.has("report_stats")) (void)stats::read_report_stats_config(root);
  return watchdog::same_homeserver_warnings(root, watchdog::read_watchdog_config(root, global, check_names));
}

}  // namespace hsops::cli
