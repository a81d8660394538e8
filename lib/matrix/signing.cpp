#include "matrix/signing.h"

#include <memory>

#include <openssl/evp.h>

#include "matrix/canonical_json.h"

namespace hsops::matrix {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int sextet(char c) {
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

Result<std::vector<unsigned char>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return Error{ErrorKind::base64, "base64 text has an impossible length"};
  std::vector<unsigned char> out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = sextet(c);
    if (v < 0) return Error{ErrorKind::base64, "base64 text contains a character outside the standard alphabet"};
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<unsigned char>((buffer >> bits) & 0xffu));
    }
  }
  return out;
}

std::string base64_encode_unpadded(const std::vector<unsigned char>& bytes) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3fu]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3fu]);
  return out;
}

Result<bool> ed25519_verify(const std::vector<unsigned char>& public_key, std::string_view message,
                            const std::vector<unsigned char>& signature) {
  if (public_key.size() != 32) {
    return Error{ErrorKind::key, "ed25519 key is " + std::to_string(public_key.size()) + " bytes, not 32"};
  }
  if (signature.size() != 64) {
    return Error{ErrorKind::signature, "ed25519 signature is " + std::to_string(signature.size()) + " bytes, not 64"};
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()), &EVP_PKEY_free);
  if (!key) return Error{ErrorKind::key, "OpenSSL rejected the ed25519 public key"};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  // Ed25519 hashes internally: no digest is given, and the one-shot DigestVerify is required.
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return Error{ErrorKind::key, "OpenSSL could not set up ed25519 verification"};
  }
  const int ok = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (ok != 1) return Error{ErrorKind::signature, "ed25519 signature does not verify"};
  return true;
}

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Result<PkeyPtr> private_key(const std::vector<unsigned char>& seed) {
  if (seed.size() != 32) return Error{ErrorKind::key, "ed25519 seed is " + std::to_string(seed.size()) + " bytes, not 32"};
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()), &EVP_PKEY_free);
  if (!key) return Error{ErrorKind::key, "OpenSSL rejected the ed25519 seed"};
  return key;
}

}  // namespace

Result<std::vector<unsigned char>> ed25519_public_key(const std::vector<unsigned char>& seed) {
  auto key = private_key(seed);
  if (!key) return key.error();
  std::vector<unsigned char> out(32);
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key.value().get(), out.data(), &len) != 1 || len != 32) {
    return Error{ErrorKind::key, "OpenSSL could not derive the ed25519 public key"};
  }
  return out;
}

Result<std::vector<unsigned char>> ed25519_sign(const std::vector<unsigned char>& seed, std::string_view message) {
  auto key = private_key(seed);
  if (!key) return key.error();
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::vector<unsigned char> sig(64);
  std::size_t len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.value().get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return Error{ErrorKind::key, "OpenSSL could not sign with ed25519"};
  }
  return sig;
}

Result<bool> verify_signed_json(const nlohmann::json& object, const std::string& signer, const std::string& key_id,
                                const std::string& public_key_b64) {
  if (!object.is_object()) return Error{ErrorKind::not_signed, "signed JSON is not an object"};
  const auto sigs = object.find("signatures");
  if (sigs == object.end() || !sigs->is_object() || !sigs->contains(signer) || !(*sigs)[signer].is_object() ||
      !(*sigs)[signer].contains(key_id) || !(*sigs)[signer][key_id].is_string()) {
    return Error{ErrorKind::not_signed, "no signature by " + signer + " with " + key_id};
  }
  auto signature = base64_decode((*sigs)[signer][key_id].get<std::string>());
  if (!signature) return Error{ErrorKind::signature, "signature " + key_id + ": " + signature.error().message};
  auto key = base64_decode(public_key_b64);
  if (!key) return Error{ErrorKind::key, "key " + key_id + ": " + key.error().message};
  nlohmann::json stripped = object;
  stripped.erase("signatures");
  stripped.erase("unsigned");
  auto canonical = canonical_json(stripped);
  if (!canonical) return canonical.error();
  return ed25519_verify(key.value(), canonical.value(), signature.value());
}

}  // namespace hsops::matrix
