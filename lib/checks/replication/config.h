// `hsops check replication`: every standby the primary streams to (state, byte and time lag),
// configured standbys that are missing (the silent break), and each standby's own view.
// See docs/checks/replication.md.
#pragma once

#include "checks/check_info.h"
#include "checks/replication/check.h"

namespace hsops::checks {

CheckInfo replication_check_info();

// Reads checks.replication (and -w/-c/-t from services); ConfigError on bad values.
replication::Options read_replication_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
