// Durations ("90s", "5m", "1h30m", "250ms") and sizes ("8GiB", "500MB", "4096") as operators
// write them in config and flags, and their human-readable forms for summaries.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops {

using Millis = std::chrono::milliseconds;

// Units: ms, s, m, h, d, w; parts may be chained ("1h30m"). A bare number is seconds.
Result<Millis> parse_duration(std::string_view text);

// Units: B, K/KB (1000), Ki/KiB (1024), M/MB, Mi/MiB, G/GB, Gi/GiB, T/TB, Ti/TiB; bare = bytes.
Result<std::uint64_t> parse_size(std::string_view text);

// "250 ms", "4.2 s", "3 h 10 min", "2 d 4 h".
std::string format_duration(double seconds);
// "512 B", "1.5 KiB", "12.3 GiB".
std::string format_bytes(double bytes);
// "2024-05-14 10:03:07 UTC": a unix time as operators read it in details.
std::string format_utc(double unix_seconds);

}  // namespace hsops
