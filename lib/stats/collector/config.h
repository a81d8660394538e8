// hsops-collector's own YAML file (docs/report-stats.md "Configuration"). Read through
// lib/config, so every error carries file:line:column; secrets only from *_file / *_env.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "config/config.h"
#include "core/units.h"

namespace hsops::stats {

struct CollectorConfig {
  std::string listen_address = "127.0.0.1";
  unsigned short listen_port = 8787;  // 0 = any free port (tests)
  std::string database_conninfo;      // libpq conninfo; password added from database.password_*
  Millis database_connect_timeout{5000};
  Millis database_statement_timeout{5000};
  std::string pseudonym_secret;       // pseudonym_secret_file / _env, at least 32 characters
  std::size_t body_limit = 16 * 1024;
  Millis header_timeout{5000};        // whole request head, from the first byte expected
  Millis read_timeout{10000};         // whole body, after the head
  Millis write_timeout{10000};
  double rate_per_second = 1.0;       // per client address
  double rate_burst = 20;
  int retention_days = 400;
  std::int64_t k_anonymity = 5;
  int threads = 2;                    // HTTP threads (never blocked: reports commit on writer threads)
  Millis shutdown_grace{20000};       // in-flight requests get this long after SIGTERM
};

// Throws config::ConfigError (file:line:column) for a missing or invalid value.
CollectorConfig read_collector_config(const config::Section& root);

// $HSOPS_COLLECTOR_CONFIG, else /etc/hsops/collector.yaml.
std::filesystem::path default_collector_config_path();

}  // namespace hsops::stats
