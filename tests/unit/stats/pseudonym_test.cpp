#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>

#include "stats/pseudonym.h"

using namespace hsops::stats;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
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
