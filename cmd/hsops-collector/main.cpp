// hsops-collector: receives report-stats pushes (Synapse's report_stats_endpoint format),
// stores them anonymised in PostgreSQL and exposes k-anonymous aggregates on /metrics.
// Everything but argument parsing lives in lib/stats (docs/report-stats.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "config/config.h"
#include "stats/collector/collector.h"

int main(int argc, char** argv) {
  CLI::App app{"hsops-collector: receives report-stats pushes, stores them anonymised, exposes aggregates.\n"
               "Docs: docs/report-stats.md", "hsops-collector"};
  app.set_version_flag("-V,--version", "hsops-collector " HSOPS_VERSION);
  std::string config_path = hsops::stats::default_collector_config_path().string();
  bool check_only = false;
  app.add_option("--config", config_path, "Config file (default: $HSOPS_COLLECTOR_CONFIG, else /etc/hsops/collector.yaml)")
      ->option_text("FILE");
  app.add_flag("--check-config", check_only, "Validate the config and reach the database, then exit (0 ok, 1 not)");
  CLI11_PARSE(app, argc, argv);

  try {
    const auto doc = hsops::config::Document::load(config_path);
    const auto config = hsops::stats::read_collector_config(doc.root());
    for (const auto& w : doc.warnings()) std::cerr << "warning: " << w << '\n';
    if (check_only) return hsops::stats::check_collector(config, std::cout);
    return hsops::stats::run_collector(config, std::cerr);
  } catch (const hsops::config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
