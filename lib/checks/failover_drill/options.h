// What the failover_drill check needs, as plain values (config.cpp reads them from
// checks.failover_drill).
#pragma once

#include <filesystem>
#include <optional>

#include "checks/failover_drill/verdict.h"

namespace hsops::checks::failover_drill {

struct Options {
  // Where the drills are recorded: the playbook's state_dir (read at each run, so a changed
  // playbook is followed), or a state_dir given directly.
  std::filesystem::path playbook = "/etc/hsops/playbook.yaml";
  std::optional<std::filesystem::path> state_dir;
  Thresholds thresholds;
};

}  // namespace hsops::checks::failover_drill
