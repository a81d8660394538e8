// Checks a /_matrix/key/v2/server answer as matrix-federation-tester does: server_name
// matches, an ed25519 key is present, each key is 32 bytes and the self-signature verifies
// with it, and valid_until_ts lies in the future.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hsops::checks::federation {

struct KeyCheck {
  std::string key_id;       // "ed25519:a_AbCd"
  bool valid_key = false;   // 32 bytes of unpadded base64
  bool signature_ok = false;
  std::string problem;      // why not, "" when both hold
};

struct KeyReport {
  bool matching_server_name = false;
  std::string served_name;
  std::vector<KeyCheck> ed25519;
  std::optional<double> valid_seconds;  // valid_until_ts - now; nullopt when absent
  std::vector<std::string> problems;    // one line per failed check, for the summary
  bool all_ok() const { return problems.empty(); }
};

KeyReport check_server_keys(const nlohmann::json& keys, const std::string& server_name,
                            std::chrono::system_clock::time_point now);

}  // namespace hsops::checks::federation
