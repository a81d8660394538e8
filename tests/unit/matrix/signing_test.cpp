// Ed25519 over canonical JSON: sign with OpenSSL, verify; corrupt any part and it fails.
#include <catch2/catch.hpp>

#include "matrix/canonical_json.h"
#include "matrix/signing.h"

using namespace hsops::matrix;
using nlohmann::json;

namespace {

std::vector<unsigned char> seed() {
  std::vector<unsigned char> s(32);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<unsigned char>(i * 7 + 1);
  return s;
}

// A key response as Synapse serves it, signed the spec's way.
json signed_keys(const std::vector<unsigned char>& sd) {
  json keys = {{"server_name", "example.org"},
               {"valid_until_ts", 1700000000000},
               {"old_verify_keys", json::object()},
               {"verify_keys", {{"ed25519:a_AbCd", {{"key", base64_encode_unpadded(ed25519_public_key(sd).value())}}}}}};
  const auto sig = ed25519_sign(sd, canonical_json(keys).value()).value();
  keys["signatures"] = {{"example.org", {{"ed25519:a_AbCd", base64_encode_unpadded(sig)}}}};
  keys["unsigned"] = {{"age_ts", 5}};  // not covered by the signature
  return keys;
}

}  // namespace

TEST_CASE("unpadded base64 matches the spec's examples both ways", "[matrix][signing]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    const std::vector<unsigned char> bytes(plain.begin(), plain.end());
    CHECK(base64_encode_unpadded(bytes) == encoded);
    CHECK(base64_decode(encoded).value() == bytes);
  }
  CHECK(base64_decode("Zm8=").value() == std::vector<unsigned char>{'f', 'o'});  // padding accepted
  CHECK_FALSE(base64_decode("Zm9v!").ok());
  CHECK_FALSE(base64_decode("Z").ok());
}

TEST_CASE("RFC 8032 test vector 1 verifies (empty message)", "[matrix][signing]") {
  auto hex = [](const std::string& h) {
    std::vector<unsigned char> out;
    for (std::size_t i = 0; i < h.size(); i += 2) out.push_back(static_cast<unsigned char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
  };
  const auto sk = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const auto pk = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto sig = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  CHECK(ed25519_public_key(sk).value() == pk);
  CHECK(ed25519_sign(sk, "").value() == sig);
  CHECK(ed25519_verify(pk, "", sig).ok());
}

TEST_CASE("a signed key response verifies - corrupting it fails", "[matrix][signing]") {
  const auto sd = seed();
  json keys = signed_keys(sd);
  const std::string pub = keys["verify_keys"]["ed25519:a_AbCd"]["key"];
  CHECK(verify_signed_json(keys, "example.org", "ed25519:a_AbCd", pub).ok());

  SECTION("a changed field") {
    keys["valid_until_ts"] = 1800000000000;
    auto r = verify_signed_json(keys, "example.org", "ed25519:a_AbCd", pub);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == hsops::ErrorKind::signature);
  }
  SECTION("a flipped signature bit") {
    std::string sig = keys["signatures"]["example.org"]["ed25519:a_AbCd"];
    sig[3] = sig[3] == 'A' ? 'B' : 'A';
    keys["signatures"]["example.org"]["ed25519:a_AbCd"] = sig;
    CHECK(verify_signed_json(keys, "example.org", "ed25519:a_AbCd", pub).error().kind == hsops::ErrorKind::signature);
  }
  SECTION("another key") {
    auto other = seed();
    other[0] ^= 1;
    const auto other_pub = base64_encode_unpadded(ed25519_public_key(other).value());
    CHECK(verify_signed_json(keys, "example.org", "ed25519:a_AbCd", other_pub).error().kind == hsops::ErrorKind::signature);
  }
  SECTION("unsigned data may change") {
    keys["unsigned"]["age_ts"] = 99;
    CHECK(verify_signed_json(keys, "example.org", "ed25519:a_AbCd", pub).ok());
  }
  SECTION("no signature by that server or key") {
    CHECK(verify_signed_json(keys, "other.org", "ed25519:a_AbCd", pub).error().kind == hsops::ErrorKind::not_signed);
    CHECK(verify_signed_json(keys, "example.org", "ed25519:zzz", pub).error().kind == hsops::ErrorKind::not_signed);
  }
  SECTION("a key that is not 32 bytes") {
    CHECK(verify_signed_json(keys, "example.org", "ed25519:a_AbCd", "Zm9v").error().kind == hsops::ErrorKind::key);
  }
}
