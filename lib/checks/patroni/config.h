// `hsops check patroni`: the Patroni cluster as its members' REST APIs report it: one leader,
// replicas streaming and close behind, timelines agreeing, every member in touch with etcd,
// not paused. See docs/checks/patroni.md.
#pragma once

#include "checks/check_info.h"
#include "checks/patroni/options.h"

namespace hsops::checks {

CheckInfo patroni_check_info();

// Reads checks.patroni (and -w/-c/-t from services); ConfigError on bad values.
patroni::Options read_patroni_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
