// Turns the wal check's figures into its CheckResult: summary (the figure that matters:
// time until the WAL filesystem is full, the slot holding WAL), measurements, details, advice.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/common/statfs.h"
#include "checks/wal/query.h"
#include "checks/wal/rate.h"
#include "checks/wal/verdict.h"
#include "core/check.h"

namespace hsops::checks::wal {

// The filesystem holding pg_wal, as the disk check measures it (statvfs, avail for non-root).
struct WalFs {
  std::string path;                     // "" when not known (remote server, no wal_path)
  std::optional<disk::FsStats> stats;
  std::string error;                    // why stats is missing
  bool configured = false;              // wal_path was set: failing to measure it is UNKNOWN
};

struct Report {
  ServerFigures server;
  Rates rates;
  WalFs fs;
  std::optional<double> seconds_until_full;  // nullopt: no rate or no fs figures; +inf: not growing
  Thresholds thresholds;
  std::vector<std::string> notes;
};

CheckResult build_result(const Report& report);

}  // namespace hsops::checks::wal
