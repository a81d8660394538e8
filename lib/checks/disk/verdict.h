// The disk check's verdict for one figure (avail space or free inodes), as the node-mixin
// rules decide it (ops-conventions 1.2): a trend alert gated on the current level, plus hard
// floors regardless of trend. Pure: no I/O, so every boundary is a unit test.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/range.h"
#include "core/status.h"

namespace hsops::checks::disk {

// A floor percent as the Nagios range that alerts below it (5 -> "5:").
Range floor_range(double percent);

struct Thresholds {
  double warn_free_percent = 40;              // WARNING: below this AND full within warn_within
  std::chrono::seconds warn_within{24 * 3600};
  double crit_free_percent = 20;              // CRITICAL: below this AND full within crit_within
  std::chrono::seconds crit_within{4 * 3600};
  Range warn_floor = floor_range(5);          // regardless of trend: alert below 5 %
  Range crit_floor = floor_range(3);          // ... and CRITICAL below 3 %
};

struct Verdict {
  Status status = Status::ok;
  std::string reason;  // "" when OK, e.g. "below 20 % and full within 4 h"
};

// `free_percent`: avail/size * 100. `seconds_until_full`: nullopt when there is no prediction
// (too few samples, read-only, state unavailable), +inf when not filling.
Verdict judge(double free_percent, std::optional<double> seconds_until_full, const Thresholds& t);

}  // namespace hsops::checks::disk
