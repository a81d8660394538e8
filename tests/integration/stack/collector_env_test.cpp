// The stack's collector config ($HSOPS_COLLECTOR_CONFIG, written by tests/harness/lib/env.sh):
// `hsops-collector --check-config` accepts it and reaches the stack's primary, and its secrets
// are files only their owner can read.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "collector_support.h"

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string yaml_value(const std::string& yaml, const std::string& key) {
  std::smatch m;
  REQUIRE(std::regex_search(yaml, m, std::regex("\\b" + key + ": (\\S+)")));
  return m[1];
}

}  // namespace

TEST_CASE("hsops-collector --check-config accepts the stack's collector config") {
  const std::string config = hsops::test::stack_env().get("HSOPS_COLLECTOR_CONFIG");
  REQUIRE(std::filesystem::exists(config));
  const std::string binary = std::string(HSOPS_BINARY_DIR) + "/cmd/hsops-collector/hsops-collector";
  const auto out = std::filesystem::temp_directory_path() / ("hsops-collector-env-" + std::to_string(::getpid()));
  const int status = std::system(("timeout -s KILL 60 " + binary + " --config " + config + " --check-config > " +
                                  out.string() + " 2>&1").c_str());
  const std::string text = hsops::test::read_file(out);
  std::filesystem::remove(out);
  INFO(text);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(text.find("config valid; database hsops_collector@127.0.0.1") != std::string::npos);

  // Secrets are referenced by path, never inline, and readable by their owner only.
  const std::string yaml = hsops::test::read_file(config);
  const std::string stack_dir = hsops::test::stack_env().get("HSOPS_STACK_DIR");
  for (const char* key : {"pseudonym_secret_file", "password_file"}) {
    INFO(key);
    const std::string path = yaml_value(yaml, key);
    CHECK(path.rfind(stack_dir + "/secrets/", 0) == 0);
    CHECK(mode_of(path) == 0600);
    const std::string secret = hsops::test::read_file(path);
    CHECK(secret.size() > 16);
    CHECK(yaml.find(secret.substr(0, secret.find('\n'))) == std::string::npos);
  }
}
