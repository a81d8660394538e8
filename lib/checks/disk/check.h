// The disk check itself, built from plain options (disk.cpp reads them from config), so tests
// can run it against a fixture /proc, an injected statfs and a FakeClock.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "checks/disk/options.h"
#include "checks/disk/mounts.h"
#include "checks/common/samples.h"
#include "checks/common/statfs.h"
#include "checks/disk/verdict.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::disk {

struct Deps {
  const Clock& clock;
  std::filesystem::path proc_root = "/proc";
  StatfsFn statfs = statfs_real;
};

std::shared_ptr<Check> make_disk_check(Options options, Deps deps);

}  // namespace hsops::checks::disk
