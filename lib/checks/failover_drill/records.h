// Reading what `hsops failover drill` leaves in its state directory (last-drill.json,
// last-good-drill.json) and which directory that is (the playbook's state_dir), as values: a
// missing file is "no drill yet", an unreadable or corrupt one is a problem to report.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "checks/common/deployment.h"
#include "checks/failover_drill/verdict.h"
#include "core/result.h"

namespace hsops::checks::failover_drill {

// The playbook's name and state_dir (checks/common/deployment.h, shared with failover_follow).
using checks::Deployment;
using checks::read_deployment;

// One report; nullopt when the file does not exist.
Result<std::optional<DrillRecord>> read_record(const std::filesystem::path& file);

// Both files of a state directory; a failure lands in Drills::problem with what to do.
Drills read_drills(const std::filesystem::path& state_dir);

// Parses a report's JSON text (exposed for tests).
Result<DrillRecord> parse_record(const std::string& text);

}  // namespace hsops::checks::failover_drill
