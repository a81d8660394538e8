// Turns per-filesystem figures into the CheckResult: summary line, measurements (perfdata and
// Prometheus), details lines for -v with advice for the worst filesystem.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/common/statfs.h"
#include "checks/disk/verdict.h"
#include "core/check.h"

namespace hsops::checks::disk {

struct Prediction {
  double fill_rate = 0;           // units per second consumed (-slope): > 0 means filling
  double seconds_until_full = 0;  // +inf when not filling
  std::size_t samples = 0;
  double span_seconds = 0;
};

// One figure's trend: a prediction, or why there is none.
struct Trend {
  std::optional<Prediction> prediction;
  std::string no_prediction_reason;  // e.g. "collecting samples (1 of 3)"
  std::optional<double> seconds_until_full() const {
    if (!prediction) return std::nullopt;
    return prediction->seconds_until_full;
  }
};

struct FsReport {
  std::string path;
  std::string fs_type;  // "" when unknown (configured path not in mountinfo)
  std::string source;
  std::optional<FsStats> stats;  // nullopt: statfs failed
  std::string error;             // why stats is missing
  bool readonly = false;
  Trend space;
  Trend inodes;
  Verdict space_verdict;
  Verdict inode_verdict;

  bool has_inodes() const { return stats && stats->inodes_total > 0; }
  double avail_percent() const;
  double inodes_free_percent() const;
  Status status() const;
};

CheckResult build_result(const std::vector<FsReport>& filesystems, const Thresholds& space,
                         const Thresholds& inodes, const std::vector<std::string>& notes);

}  // namespace hsops::checks::disk
