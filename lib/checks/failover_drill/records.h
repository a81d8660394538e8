// Reading what `hsops failover drill` leaves in its state directory (last-drill.json,
// last-good-drill.json) and which directory that is (the playbook's state_dir), as values: a
// missing file is "no drill yet", an unreadable or corrupt one is a problem to report.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "checks/failover_drill/verdict.h"
#include "core/result.h"

namespace hsops::checks::failover_drill {

// Where the drills of one deployment are recorded.
struct Deployment {
  std::string name;                  // the playbook's name ("" when only state_dir is known)
  std::filesystem::path state_dir;
};

// The playbook's name and state_dir (default /var/lib/hsops/failover, as the playbook loader
// says). Only these two keys are read: the check needs neither the playbook's secrets nor its
// steps, and `hsops failover plan` validates the rest.
Result<Deployment> read_deployment(const std::filesystem::path& playbook);

// One report; nullopt when the file does not exist.
Result<std::optional<DrillRecord>> read_record(const std::filesystem::path& file);

// Both files of a state directory; a failure lands in Drills::problem with what to do.
Drills read_drills(const std::filesystem::path& state_dir);

// Parses a report's JSON text (exposed for tests).
Result<DrillRecord> parse_record(const std::string& text);

}  // namespace hsops::checks::failover_drill
