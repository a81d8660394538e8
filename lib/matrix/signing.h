// Ed25519 signatures on JSON objects, as Matrix servers sign their keys and events: the
// signature covers the canonical JSON of the object without "signatures" and "unsigned".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace hsops::matrix {

// Unpadded standard base64, as Matrix writes keys and signatures (padding is accepted too).
Result<std::vector<unsigned char>> base64_decode(std::string_view text);
std::string base64_encode_unpadded(const std::vector<unsigned char>& bytes);

// Verifies one detached Ed25519 signature; Error "signature" when it does not verify,
// "key" when the key is not 32 bytes.
Result<bool> ed25519_verify(const std::vector<unsigned char>& public_key, std::string_view message,
                            const std::vector<unsigned char>& signature);

// Signing with a 32-byte Ed25519 seed (Synapse's signing key file holds one, base64): for
// test fixtures and, later, X-Matrix request signing.
Result<std::vector<unsigned char>> ed25519_public_key(const std::vector<unsigned char>& seed);
Result<std::vector<unsigned char>> ed25519_sign(const std::vector<unsigned char>& seed, std::string_view message);

// Checks object.signatures[signer][key_id] against `public_key_b64`.
// Error kinds: "unsigned" (no such signature), "key", "signature", "canonical_json".
Result<bool> verify_signed_json(const nlohmann::json& object, const std::string& signer, const std::string& key_id,
                                const std::string& public_key_b64);

}  // namespace hsops::matrix
