#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "stats/pseudonym.h"

using namespace hsops::stats;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("the per-thread keyed HMAC follows key changes and repeats exactly") {
  // RFC 4231 test case 1 (key 0x0b x 20), test case 2, and an empty key, interleaved: a stale
  // key or a context not restarted between calls would show.
  const std::string key1(20, '\x0b');
  const std::string tc1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  const std::string tc2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  const std::string empty = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
  for (int i = 0; i < 3; ++i) {
    CHECK(hmac_sha256_hex(key1, "Hi There") == tc1);
    CHECK(hmac_sha256_hex(key1, "Hi There") == tc1);
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") == tc2);
    CHECK(hmac_sha256_hex("", "") == empty);
    CHECK(hmac_sha256_hex(std::string_view(), "") == empty);
  }
}

TEST_CASE("pseudonyms are stable case-insensitive and keyed") {
  const std::string a = pseudonym("secret-one-0123456789abcdef0123456789", "Example.org");
  CHECK(a.size() == 64);
  CHECK(a == pseudonym("secret-one-0123456789abcdef0123456789", "example.org"));
  CHECK(a != pseudonym("secret-two-0123456789abcdef0123456789", "example.org"));
  CHECK(a.find("example") == std::string::npos);
}

TEST_CASE("the local secret is created once with mode 0600 and then reused") {
  const auto dir = std::filesystem::temp_directory_path() / ("hsops-stats-secret-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = dir / "state" / "report-stats.secret";
  auto first = load_or_create_secret(path);
  REQUIRE(first.ok());
  CHECK(first->size() == 64);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto second = load_or_create_secret(path);
  REQUIRE(second.ok());
  CHECK(*second == *first);
  std::filesystem::remove_all(dir);
}
