// A key response signed the way Synapse signs it, for the federation tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "matrix/canonical_json.h"
#include "matrix/signing.h"

namespace hsops::test {

inline nlohmann::json signed_server_keys(const std::string& server_name, std::chrono::system_clock::time_point valid_until) {
  std::vector<unsigned char> seed(32);
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<unsigned char>(200 - i);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(valid_until.time_since_epoch()).count();
  nlohmann::json keys = {
      {"server_name", server_name},
      {"valid_until_ts", ms},
      {"old_verify_keys", nlohmann::json::object()},
      {"verify_keys", {{"ed25519:a_test", {{"key", matrix::base64_encode_unpadded(matrix::ed25519_public_key(seed).value())}}}}}};
  const auto sig = matrix::ed25519_sign(seed, matrix::canonical_json(keys).value()).value();
  keys["signatures"] = {{server_name, {{"ed25519:a_test", matrix::base64_encode_unpadded(sig)}}}};
  return keys;
}

}  // namespace hsops::test
