// WAL generation and retention growth between runs, from samples kept in the state dir with
// the disk check's sample store (same locking, atomic save and pruning). Two series per
// state file: "lsn" (the server's WAL position in bytes: generation) and "pg_wal" (the size of
// the WAL directory: what is actually kept on disk, the figure that fills the filesystem).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "checks/common/samples.h"

namespace hsops::checks::wal {

struct RateOptions {
  std::filesystem::path state_file;         // "" disables rates (and time until full)
  disk::SampleBounds bounds{std::chrono::seconds{3600}, 256, std::chrono::seconds{7 * 86400}};
  std::size_t min_samples = 3;              // fewer: no rate yet
  std::chrono::seconds min_span{5 * 60};    // samples must span at least this
};

struct Rates {
  std::optional<double> generation_bytes_per_second;  // slope of the WAL position
  std::optional<double> growth_bytes_per_second;      // slope of the pg_wal size
  std::size_t samples = 0;
  double span_seconds = 0;
  std::string no_rate_reason;                         // why the rates are missing
};

// Pure: records this run's figures in `samples` and fits both series over the window. A WAL
// position lower than the last stored one (a restored or re-initialised server) restarts the
// series instead of faking a negative rate.
Rates update_rates(disk::SampleMap& samples, double now, double wal_position_bytes, double wal_dir_bytes,
                   const RateOptions& options);

// The same with the state file: trouble with it costs the rates only, with a note why.
Rates record_and_fit(const RateOptions& options, double now, double wal_position_bytes, double wal_dir_bytes,
                     std::vector<std::string>& notes);

}  // namespace hsops::checks::wal
