// The failover_drill check's verdict: was the hot-spare switch rehearsed recently, and did it
// work? The outage this exists for: nobody had a rehearsed way to switch to the hot spare.
// Pure: no I/O, so every boundary is a unit test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace hsops::checks::failover_drill {

// One drill report as `hsops failover drill` writes it (<state_dir>/last-drill.json).
struct DrillRecord {
  std::string run_id;
  std::string deployment;             // the playbook's name ("" in reports that lack it)
  bool ok = false;                    // every step done and none over budget
  double started_at = 0;              // unix seconds
  double seconds = 0;
  std::optional<double> rto_seconds;  // nullopt: no probe ended, so no RTO was measured
  std::string left_state;             // what a failure left, in one sentence
};

// What the state directory holds. `problem` is set when a file exists but cannot be read or
// parsed: then nothing else is judged.
struct Drills {
  std::optional<DrillRecord> last;        // last-drill.json
  std::optional<DrillRecord> last_good;   // last-good-drill.json
  std::string problem;
};

struct Thresholds {
  std::chrono::seconds max_age{8 * 24 * 3600};  // a weekly timer plus a day of slack
  std::optional<double> rto_budget_seconds;     // an RTO above it: WARNING
};

struct Verdict {
  Status status = Status::ok;
  std::vector<std::string> reasons;  // the worst first; empty when OK
};

// The newest good drill: last-good-drill.json, or the last drill itself when it was good
// (reports written before last-good-drill.json existed have only last-drill.json).
std::optional<DrillRecord> newest_good(const Drills& drills);

// `now`: unix seconds from the check's clock.
Verdict judge(const Drills& drills, double now, const Thresholds& t);

}  // namespace hsops::checks::failover_drill
