// Config keys shared by the checks that talk to a homeserver's client API and read Synapse's
// own database (appservice, bridge): one reader, so both validate them the same way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "checks/check_info.h"
#include "checks/common/pg_target.h"
#include "config/config.h"

namespace hsops::checks {

// `homeserver_url`: required, http(s), returned without trailing '/'. `check` names the check
// in the error ("checks.bridge needs homeserver_url ...").
std::string read_homeserver_url(const config::Section& s, std::string_view check);

// The optional `database:` section (Synapse's PostgreSQL, read-only SQL); nullopt when absent.
std::optional<PgTarget> read_synapse_database(const config::Section& s, const Services& services);

}  // namespace hsops::checks
