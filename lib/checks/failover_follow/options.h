// What the failover_follow check needs, as plain values (config.cpp reads them from
// checks.failover_follow).
#pragma once

#include <filesystem>
#include <optional>

#include "checks/failover_follow/verdict.h"

namespace hsops::checks::failover_follow {

struct Options {
  // Where the follower writes follow.json: the playbook's state_dir (read at each run, so a
  // changed playbook is followed), or a state_dir given directly.
  std::filesystem::path playbook = "/etc/hsops/playbook.yaml";
  std::optional<std::filesystem::path> state_dir;
  Thresholds thresholds;
};

}  // namespace hsops::checks::failover_follow
