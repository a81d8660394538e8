// `hsops check probe`: discovery, login, send an m.notice, see it come back in /sync — the
// homeserver works for users, end to end. See docs/checks/probe.md.
#pragma once

#include "checks/probe/options.h"
#include "checks/check_info.h"

namespace hsops::checks {

CheckInfo probe_check_info();

// Reads checks.probe (and -w/-c/-t from services); ConfigError on bad values. For tests.
probe::Options read_probe_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
