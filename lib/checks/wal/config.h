// `hsops check wal`: replication slots and the WAL they keep, the WAL directory's size and
// growth, archiver failures, and time until the WAL filesystem is full. See docs/checks/wal.md.
#pragma once

#include "checks/check_info.h"
#include "checks/wal/check.h"

namespace hsops::checks {

CheckInfo wal_check_info();

// Reads checks.wal (and -w/-c/-t from services); ConfigError on bad values. Exposed for tests.
wal::Options read_wal_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
