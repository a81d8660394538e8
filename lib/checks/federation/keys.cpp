#include "checks/federation/keys.h"

#include "matrix/signing.h"

namespace hsops::checks::federation {
namespace {

KeyCheck check_one(const nlohmann::json& keys, const std::string& key_id, const nlohmann::json& entry,
                   const std::string& server_name) {
  KeyCheck k;
  k.key_id = key_id;
  if (!entry.is_object() || !entry.contains("key") || !entry["key"].is_string()) {
    k.problem = key_id + " has no key string";
    return k;
  }
  const std::string b64 = entry["key"].get<std::string>();
  const auto raw = matrix::base64_decode(b64);
  k.valid_key = raw.ok() && raw.value().size() == 32;
  if (!k.valid_key) {
    k.problem = key_id + " is not a 32-byte ed25519 key";
    return k;
  }
  // Signed by the server it names; a mismatched name is reported separately.
  const std::string signer = keys.value("server_name", server_name);
  auto verified = matrix::verify_signed_json(keys, signer, key_id, b64);
  k.signature_ok = verified.ok();
  if (!k.signature_ok) k.problem = key_id + ": self-signature check failed: " + verified.error().message;
  return k;
}

}  // namespace

KeyReport check_server_keys(const nlohmann::json& keys, const std::string& server_name,
                            std::chrono::system_clock::time_point now) {
  KeyReport r;
  if (!keys.is_object()) {
    r.problems.push_back("key response is not a JSON object");
    return r;
  }
  r.served_name = keys.value("server_name", "");
  r.matching_server_name = r.served_name == server_name;
  if (!r.matching_server_name) {
    r.problems.push_back("keys are for '" + r.served_name + "', not " + server_name);
  }
  const auto vk = keys.find("verify_keys");
  if (vk != keys.end() && vk->is_object()) {
    for (const auto& [id, entry] : vk->items()) {
      if (id.rfind("ed25519:", 0) == 0) r.ed25519.push_back(check_one(keys, id, entry, server_name));
    }
  }
  if (r.ed25519.empty()) r.problems.push_back("no ed25519 key in verify_keys");
  for (const auto& k : r.ed25519) {
    if (!k.problem.empty()) r.problems.push_back(k.problem);
  }
  const auto until = keys.find("valid_until_ts");
  if (until != keys.end() && until->is_number_integer()) {
    const double now_ms = std::chrono::duration<double, std::milli>(now.time_since_epoch()).count();
    r.valid_seconds = (until->get<double>() - now_ms) / 1000.0;
  } else {
    r.problems.push_back("no valid_until_ts");
  }
  return r;
}

}  // namespace hsops::checks::federation
