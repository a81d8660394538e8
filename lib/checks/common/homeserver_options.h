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
// in the error ("checks.bridge needs homeserver_url ..."). The checks that use it send a
// password or an access token, so plain http:// is refused unless the host is loopback or
// `allow_plain_http: true` is set (refuse_plain_http).
std::string read_homeserver_url(const config::Section& s, std::string_view check);

// The plain-HTTP guard for any URL credentials travel to: `url` at `key` is an http(s) URL, and
// http:// only to a loopback host (127.x, localhost, [::1]) or with `allow_plain_http: true`.
void refuse_plain_http(const config::Section& s, std::string_view key, const std::string& url);

// True when an http(s) URL's host is this machine: 127.0.0.0/8, localhost or [::1].
bool loopback_url(std::string_view url);

// The optional `database:` section (Synapse's PostgreSQL, read-only SQL); nullopt when absent.
std::optional<PgTarget> read_synapse_database(const config::Section& s, const Services& services);

}  // namespace hsops::checks
