// Secrets: only from <key>_file or <key>_env, the permission warning, and no value in errors.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "config/config.h"
#include "config_test_support.h"

using namespace hsops::config;
using hsops::config::test::error_of;
using hsops::config::test::TempFile;

namespace {

Section matrix_of(const Document& doc) { return doc.root().child("matrix"); }

Document with_token_file(const std::filesystem::path& path) {
  return Document::parse("matrix:\n  access_token_file: " + path.string() + "\n", "test.yaml");
}

}  // namespace

TEST_CASE("a secret file gives its first line without the line ending", "[config][secret]") {
  const TempFile token("token", "syt_s3cr3t\r\nsecond line\n", 0600);
  const Document doc = with_token_file(token.path());
  CHECK(matrix_of(doc).secret("access_token") == std::optional<std::string>("syt_s3cr3t"));
  CHECK(doc.warnings().empty());
  CHECK_NOTHROW(matrix_of(doc).reject_unknown_keys());
}

TEST_CASE("a group-readable secret file is a warning with the mode and the fix", "[config][secret]") {
  const TempFile token("token", "syt_s3cr3t\n", 0640);
  const Document doc = with_token_file(token.path());
  CHECK(matrix_of(doc).secret("access_token") == std::optional<std::string>("syt_s3cr3t"));
  REQUIRE(doc.warnings().size() == 1);
  CHECK(doc.warnings()[0] == "test.yaml:2:22: matrix.access_token_file: secret file " + token.path().string() +
                                 " is readable by group or others (mode 0640): run chmod 600 " + token.path().string());
  (void)matrix_of(doc).secret("access_token");
  CHECK(doc.warnings().size() == 1);  // reading twice warns once
}

TEST_CASE("a world-readable secret file is a warning too", "[config][secret]") {
  const TempFile token("token", "syt_s3cr3t\n", 0604);
  const Document doc = with_token_file(token.path());
  (void)matrix_of(doc).secret("access_token");
  REQUIRE(doc.warnings().size() == 1);
  CHECK_THAT(doc.warnings()[0], Catch::Contains("(mode 0604): run chmod 600 "));
}

TEST_CASE("a missing secret file is an error naming the file and the fix", "[config][secret]") {
  const Document doc = Document::parse("matrix:\n  access_token_file: /nonexistent/token\n", "test.yaml");
  CHECK(error_of([&] { (void)matrix_of(doc).secret("access_token"); }) ==
        "test.yaml:2:22: matrix.access_token_file: cannot read secret file /nonexistent/token (No such file or "
        "directory): create it with the secret on its first line and chmod 600 it");
}

TEST_CASE("an empty secret file is an error", "[config][secret]") {
  const TempFile token("token", "\n", 0600);
  const Document doc = with_token_file(token.path());
  CHECK(error_of([&] { (void)matrix_of(doc).secret("access_token"); }) ==
        "test.yaml:2:22: matrix.access_token_file: secret file " + token.path().string() +
            " is empty: create it with the secret on its first line and chmod 600 it");
}

TEST_CASE("a relative secret path is taken from the config file's directory", "[config][secret]") {
  const TempFile token("token", "syt_rel\n", 0600);
  const Document doc =
      Document::parse("matrix:\n  access_token_file: token\n", (token.dir() / "hsops.yaml").string());
  CHECK(matrix_of(doc).secret("access_token") == std::optional<std::string>("syt_rel"));
}

TEST_CASE("an inline secret is an error that does not repeat the value", "[config][secret]") {
  const Document doc = Document::parse("matrix:\n  url: https://hs\n  access_token: syt_s3cr3t\n", "test.yaml");
  const std::string message = error_of([&] { (void)matrix_of(doc).secret("access_token"); });
  CHECK(message ==
        "test.yaml:3:3: matrix.access_token: secrets are never written inline: use access_token_file or "
        "access_token_env");
  CHECK_THAT(message, !Catch::Contains("s3cr3t"));
}

TEST_CASE("a secret from an environment variable", "[config][secret]") {
  ::setenv("HSOPS_TEST_TOKEN", "syt_from_env", 1);
  const Document doc = Document::parse("matrix:\n  access_token_env: HSOPS_TEST_TOKEN\n", "test.yaml");
  CHECK(matrix_of(doc).secret("access_token") == std::optional<std::string>("syt_from_env"));
  CHECK_NOTHROW(matrix_of(doc).reject_unknown_keys());
  ::unsetenv("HSOPS_TEST_TOKEN");
}

TEST_CASE("an unset or empty secret variable is an error", "[config][secret]") {
  ::unsetenv("HSOPS_TEST_UNSET");
  const Document doc = Document::parse("matrix:\n  access_token_env: HSOPS_TEST_UNSET\n", "test.yaml");
  CHECK(error_of([&] { (void)matrix_of(doc).secret("access_token"); }) ==
        "test.yaml:2:21: matrix.access_token_env: environment variable HSOPS_TEST_UNSET is not set: set it for "
        "hsops (e.g. Environment= or EnvironmentFile= in the systemd unit)");
  ::setenv("HSOPS_TEST_UNSET", "", 1);
  CHECK(error_of([&] { (void)matrix_of(doc).secret("access_token"); }) ==
        "test.yaml:2:21: matrix.access_token_env: environment variable HSOPS_TEST_UNSET is empty: set it to the secret");
  ::unsetenv("HSOPS_TEST_UNSET");
}

TEST_CASE("setting both _file and _env is an error", "[config][secret]") {
  const Document doc =
      Document::parse("matrix:\n  access_token_file: /x\n  access_token_env: HSOPS_X\n", "test.yaml");
  CHECK(error_of([&] { (void)matrix_of(doc).secret("access_token"); }) ==
        "test.yaml:3:3: matrix.access_token_env: set either access_token_file or access_token_env, not both");
}

TEST_CASE("no secret configured gives nullopt - unknown keys list both spellings", "[config][secret]") {
  const Document doc = Document::parse("matrix:\n  acess_token_file: /x\n", "test.yaml");
  CHECK_FALSE(matrix_of(doc).secret("access_token").has_value());
  CHECK(error_of([&] { matrix_of(doc).reject_unknown_keys(); }) ==
        "test.yaml:2:3: matrix.acess_token_file: unknown key 'acess_token_file' (did you mean 'access_token_file'? "
        "known here: access_token_file, access_token_env)");
}
