// What the disk check needs, as plain values (config.cpp reads them from checks.disk).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "checks/common/samples.h"
#include "checks/disk/mounts.h"
#include "checks/disk/verdict.h"

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

}  // namespace hsops::checks::disk
