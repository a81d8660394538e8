// Check status in the Nagios plugin convention: the enum value is the exit code.
#pragma once

#include <optional>
#include <string_view>

namespace hsops {

enum class Status { ok = 0, warning = 1, critical = 2, unknown = 3 };

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
std::string_view to_string(Status status);
std::optional<Status> status_from_string(std::string_view text);

// The status an aggregate reports: CRITICAL > WARNING > UNKNOWN > OK, so an undecided
// check can never be hidden behind an OK one (monitoring-plugins' max_state_alt order).
Status worst(Status a, Status b);

inline int exit_code(Status status) { return static_cast<int>(status); }

}  // namespace hsops
