// `hsops check federation`: can other servers reach this one? Server-name resolution,
// federation version, signing keys and their self-signature, TLS certificate. See
// docs/checks/federation.md.
#pragma once

#include "checks/federation/options.h"
#include "checks/check_info.h"

namespace hsops::checks {

CheckInfo federation_check_info();

// Reads checks.federation (and -w/-c/-t); ConfigError on bad values. For tests.
federation::Options read_federation_options(const config::Section& section, const Services& services);

}  // namespace hsops::checks
