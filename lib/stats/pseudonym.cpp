#include "stats/pseudonym.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

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

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  if (result == nullptr) return {};
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
      if (secret.size() < 32) return Error{"io", "pseudonym secret " + path.string() + " is shorter than 32 characters; delete it to have a new one made"};
      return secret;
    }
  }
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return Error{"io", "cannot create " + path.parent_path().string() + ": " + ec.message()};
  }
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) return Error{"random", "OpenSSL could not produce random bytes"};
  const std::string secret = to_hex(random, sizeof random);
  // O_EXCL: two processes racing to create it must not end up with different secrets.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return load_or_create_secret(path);
    return Error{"io", "cannot create " + path.string() + ": " + std::strerror(errno)};
  }
  const std::string line = secret + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) return Error{"io", "cannot write " + path.string()};
  return secret;
}

}  // namespace hsops::stats
