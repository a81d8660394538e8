// Writes a Prometheus text file for node_exporter's textfile collector, atomically: the
// collector must never read a half-written file (it would raise NodeTextFileCollectorScrapeError).
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"

namespace hsops::output {

// Writes `content` to a temporary file in the same directory, fsyncs it, and renames it over
// `path`. The file is made world-readable (0644): node_exporter usually runs as another user.
Result<bool> write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace hsops::output
