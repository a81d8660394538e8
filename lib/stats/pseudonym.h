// Pseudonyms for server names: HMAC-SHA256 keyed with a secret only the holder knows, so the
// same server always maps to the same value (de-duplication, counting once) while the name
// cannot be recovered or confirmed by anyone without the secret.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops::stats {

// Lower-case hex HMAC-SHA256(secret, server name). The name is lower-cased first (DNS names
// are case-insensitive, so "Example.org" and "example.org" are one server).
std::string pseudonym(std::string_view secret, std::string_view server_name);

// Raw HMAC-SHA256 as lower-case hex (exposed for RFC 4231 test vectors).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The secret kept at `path`: read it, or create it (32 random bytes as hex, mode 0600, the
// directory created 0700) when it does not exist yet. Error kinds: "io", "random".
Result<std::string> load_or_create_secret(const std::filesystem::path& path);

}  // namespace hsops::stats
