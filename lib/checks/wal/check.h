// The wal check itself, from plain options (wal.cpp reads them from config).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "checks/wal/options.h"
#include "checks/common/statfs.h"
#include "checks/common/pg_target.h"
#include "checks/wal/rate.h"
#include "checks/wal/verdict.h"
#include "core/check.h"
#include "core/clock.h"

namespace hsops::checks::wal {

struct Deps {
  const Clock& clock;
  disk::StatfsFn statfs = disk::statfs_real;
};

std::shared_ptr<Check> make_wal_check(Options options, Deps deps);

// True when conninfo points at this host (socket directory, localhost, loopback), so the
// server's data_directory is a local path worth measuring.
bool is_local(const std::string& conninfo);

}  // namespace hsops::checks::wal
