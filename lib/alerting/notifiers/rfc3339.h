// Timestamps as the receivers want them: RFC 3339 / ISO 8601 in UTC, whole seconds.
#pragma once

#include <chrono>
#include <string>

namespace hsops::alerting {

std::string rfc3339_utc(std::chrono::system_clock::time_point t);  // "2023-11-14T22:13:20Z"

}  // namespace hsops::alerting
