// Small conninfo helpers for monitoring clients: adding a password that came from a secret
// file (never from argv or the config text), and recognising "permission denied".
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops::pg {

// `conninfo` with `password` added (keyword form: quoted; URI form: percent-encoded query
// parameter). Connection::open strips the password from every message it returns.
std::string with_password(std::string_view conninfo, std::string_view password);

// True for errors the server raised with SQLSTATE 42501 (insufficient_privilege).
bool is_insufficient_privilege(const Error& error);

}  // namespace hsops::pg
