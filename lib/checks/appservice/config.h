// `hsops check appservice`: per registered appservice, the homeserver -> appservice ping,
// Synapse's delivery state from its database, and a lint of the registration files.
// See docs/checks/appservice.md.
#pragma once

#include "checks/appservice/check.h"
#include "checks/check_info.h"

namespace hsops::checks {

CheckInfo appservice_check_info();

// Reads checks.appservice (and -t from services); ConfigError on bad values. Exposed for tests.
appservice::Options read_appservice_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
