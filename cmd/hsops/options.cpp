#include "options.h"

#include <cstdlib>
#include <filesystem>

#include "stats/sender/report_stats.h"
#include "watchdog/config.h"

namespace hsops::cli {

config::Document load_config(const GlobalOptions& options) {
  if (!options.config_path.empty()) return config::Document::load(options.config_path);
  const char* env = std::getenv("HSOPS_CONFIG");
  if (env != nullptr && *env != '\0') return config::Document::load(env);
  // No config at all is a supported setup: the local host's disks and clock with defaults.
  const std::filesystem::path fallback = config::default_config_path();
  std::error_code ec;
  if (std::filesystem::exists(fallback, ec)) return config::Document::load(fallback);
  return config::Document::empty();
}

void read_other_sections(const config::Section& root, const config::GlobalConfig& global,
                         const std::vector<std::string>& check_names) {
  if (root.has("report_stats")) (void)stats::read_report_stats_config(root);
  (void)watchdog::read_watchdog_config(root, global, check_names);
}

}  // namespace hsops::cli
