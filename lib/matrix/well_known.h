// The spec's discovery rules for /.well-known/matrix/client and /.well-known/matrix/server.
#pragma once

#include <optional>
#include <string>

#include "core/result.h"

namespace hsops::matrix {

// Client discovery (spec "Well-known URI"): 404 -> nullopt (IGNORE: use the configured URL);
// 200 with a JSON object holding an http(s) m.homeserver.base_url -> that URL (trailing '/'
// dropped); anything else (other status, empty or invalid JSON, missing or bad base_url) ->
// Error{ErrorKind::well_known, reason}: FAIL_PROMPT / FAIL_ERROR in the spec, CRITICAL for a probe.
Result<std::optional<std::string>> parse_client_well_known(long status, const std::string& body);

// Server delegation: the "m.server" value ("host[:port]") of a 200 JSON answer. Anything
// else is not fatal in the spec (resolution falls through): nullopt, with `why` set.
std::optional<std::string> parse_server_well_known(long status, const std::string& body, std::string& why);

}  // namespace hsops::matrix
