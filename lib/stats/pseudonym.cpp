#include "stats/pseudonym.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace hsops::stats {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

// One HMAC context per thread, keyed once: OpenSSL's one-shot HMAC() looks the algorithm up
// by name and redoes the key schedule on every call, which cost more than the hash itself
// per push. Re-initialising with a null key restarts from the kept key.
class KeyedHmac {
 public:
  bool reset(std::string_view key) {
    if (ctx_ && key == key_) return EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) == 1;
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (hmac == nullptr) return false;
    ctx_.reset(EVP_MAC_CTX_new(hmac));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    // Never a null key pointer: to EVP_MAC_init that means "keep the previous key".
    const auto* bytes = reinterpret_cast<const unsigned char*>(key.empty() ? "" : key.data());
    if (!ctx_ || EVP_MAC_init(ctx_.get(), bytes, key.size(), params) != 1) {
      ctx_.reset();
      return false;
    }
    key_.assign(key);
    return true;
  }
  EVP_MAC_CTX* get() { return ctx_.get(); }

 private:
  struct Free {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
  };
  std::unique_ptr<EVP_MAC_CTX, Free> ctx_;
  std::string key_;
};

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  thread_local KeyedHmac hmac;
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if (!hmac.reset(key) ||
      EVP_MAC_update(hmac.get(), reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      EVP_MAC_final(hmac.get(), digest, &length, sizeof digest) != 1) {
    return {};
  }
  return to_hex(digest, length);
}

std::string pseudonym(std::string_view secret, std::string_view server_name) {
  std::string lowered(server_name);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return hmac_sha256_hex(secret, lowered);
}

Result<std::string> load_or_create_secret(const std::filesystem::path& path) {
  {
    std::ifstream in(path);
    if (in) {
      std::string secret;
      std::getline(in, secret);
      if (secret.size() < 32) return Error{ErrorKind::io, "pseudonym secret " + path.string() + " is shorter than 32 characters; delete it to have a new one made"};
      return secret;
    }
  }
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Error{ErrorKind::io, "cannot create " + path.parent_path().string() + ": " + ec.message()};
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) return Error{ErrorKind::random, "OpenSSL could not produce random bytes"};
  const std::string secret = to_hex(random, sizeof random);
  // O_EXCL: two processes racing to create it must not end up with different secrets.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load_or_create_secret(path);
    return Error{ErrorKind::io, "cannot create " + path.string() + ": " + std::strerror(errno)};
  }
  const std::string line = secret + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Error{ErrorKind::io, "cannot write " + path.string()};
  return secret;
}

}  // namespace hsops::stats
