// `hsops check disk`: space and inodes available to non-root users on every real filesystem,
// with a least-squares "time until full" and the node-mixin thresholds. See docs/checks/disk.md.
#pragma once

#include "checks/disk/check.h"
#include "checks/check_info.h"

namespace hsops::checks {

CheckInfo disk_check_info();

// Reads checks.disk (and -w/-c/-t from services) into the check's options; ConfigError on
// bad values. Exposed for tests.
disk::Options read_disk_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
