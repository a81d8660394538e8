// The disk check itself, built from plain options (disk.cpp reads them from config), so tests
// can run it against a fixture /proc, an injected statfs and a FakeClock.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "checks/disk/mounts.h"
#include "checks/common/samples.h"
#include "checks/common/statfs.h"
#include "checks/disk/verdict.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::disk {

struct Options {
  std::vector<std::string> paths;               // empty: every real mounted filesystem
  MountFilter filter;                           // used only when paths is empty
  std::chrono::milliseconds statfs_timeout{5000};  // already capped by -t
  std::filesystem::path state_file;             // "" disables time-until-full
  SampleBounds bounds;                          // bounds.window is fit_window
  std::size_t min_samples = 3;                  // fewer: no prediction yet
  std::chrono::seconds min_span{30 * 60};       // samples must span at least this
  Thresholds space;                             // on avail %, -w/-c replace the floors
  Thresholds inodes;                            // on free inode %
};

struct Deps {
  const Clock& clock;
  std::filesystem::path proc_root = "/proc";
  StatfsFn statfs = statfs_real;
};

std::shared_ptr<Check> make_disk_check(Options options, Deps deps);

}  // namespace hsops::checks::disk
