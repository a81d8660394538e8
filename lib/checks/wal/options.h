// What the wal check needs, as plain values (config.cpp reads them from checks.wal).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "checks/common/pg_target.h"
#include "checks/wal/rate.h"
#include "checks/wal/verdict.h"

namespace hsops::checks::wal {

struct Options {
  PgTarget target;
  std::optional<std::string> wal_path;        // the filesystem holding pg_wal; else data_directory/pg_wal when local
  std::chrono::milliseconds statfs_timeout{5000};
  RateOptions rates;
  Thresholds thresholds;
};

}  // namespace hsops::checks::wal
