// The disk check's memory between runs: recent (time, avail bytes, free inodes) samples per
// path, in a small JSON state file, so each run can fit a fill rate (time until full).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"

namespace hsops::checks::disk {

struct Sample {
  double t = 0;                  // Unix seconds, from the injected Clock
  double avail_bytes = 0;
  double inodes_avail = 0;       // 0 when the filesystem has no inode figures
};

using SampleMap = std::map<std::string, std::vector<Sample>>;  // path -> oldest first

struct SampleBounds {
  std::chrono::seconds window{6 * 3600};       // keep (and fit) only samples this recent
  std::size_t max_samples = 256;               // per path
  std::chrono::seconds forget_after{7 * 86400};  // drop a path not seen for this long
};

// Keeps the store small and sane: drops samples outside the window or from the future (the
// wall clock was stepped back: those would fake a trend), and paths not seen lately.
void prune(SampleMap& samples, double now, const SampleBounds& bounds);

// Adds one sample unless the path's newest one is closer than window / max_samples: then the
// stored samples stay spread over the whole window however often the check runs.
// Returns true when it was stored.
bool add_sample(SampleMap& samples, const std::string& path, const Sample& sample, const SampleBounds& bounds);

// JSON text of the store, and back. A corrupt text is an Error("parse", ...).
std::string to_json(const SampleMap& samples);
Result<SampleMap> from_json(const std::string& text);

// The state file, locked (flock on "<file>.lock") for as long as this object lives, so two
// runs (the CLI and the watchdog) never interleave read-modify-write.
class SampleFile {
 public:
  // Creates the directory (0755) if missing, takes the lock (waits at most `lock_wait`).
  static Result<SampleFile> open(const std::filesystem::path& file, std::chrono::milliseconds lock_wait);
  SampleFile(SampleFile&& other) noexcept;
  SampleFile& operator=(SampleFile&&) = delete;
  SampleFile(const SampleFile&) = delete;
  ~SampleFile();

  // Missing file = empty store. A corrupt one is reported as an Error; the caller starts fresh.
  Result<SampleMap> load() const;
  // Temp file + fsync + rename + fsync of the directory: a crash leaves the old or the new file.
  Result<bool> save(const SampleMap& samples) const;

 private:
  SampleFile(std::filesystem::path file, int lock_fd) : file_(std::move(file)), lock_fd_(lock_fd) {}
  std::filesystem::path file_;
  int lock_fd_ = -1;
};

}  // namespace hsops::checks::disk
