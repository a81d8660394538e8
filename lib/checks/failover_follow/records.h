// Reading what `hsops failover follow` leaves in its state directory (follow.json) as values:
// a missing file is "no follower", an unreadable, corrupt or other-version one is a problem to
// report. Which directory that is: checks/common/deployment.h (the playbook's state_dir).
#pragma once

#include <filesystem>
#include <string>

#include "checks/failover_follow/verdict.h"
#include "core/result.h"

namespace hsops::checks::failover_follow {

// The file name under state_dir.
inline constexpr const char* kFollowFile = "follow.json";

// <state_dir>/follow.json; a failure lands in Follow::problem, naming the file.
Follow read_follow(const std::filesystem::path& state_dir);

// Parses follow.json's text (exposed for tests); the error says what is wrong, not the file.
Result<FollowState> parse_follow(const std::string& text);

}  // namespace hsops::checks::failover_follow
