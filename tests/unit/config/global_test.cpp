// read_global (state_dir, http.*) and where the CLI looks for the config file.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "config/config.h"
#include "config_test_support.h"

using namespace hsops::config;
using hsops::Millis;
using hsops::config::test::error_of;

TEST_CASE("read_global gives the defaults without a config", "[config][global]") {
  const GlobalConfig global = read_global(Document::empty().root());
  CHECK(global.state_dir == "/var/lib/hsops");
  CHECK(global.connect_timeout == Millis(3'000));
  CHECK(global.request_timeout == Millis(10'000));
  CHECK(global.ca_file.empty());
}

TEST_CASE("read_global reads state_dir and http", "[config][global]") {
  const Document doc = Document::parse(
      "state_dir: /tmp/hsops-state\nhttp:\n  connect_timeout: 500ms\n  timeout: 30s\n  ca_file: " HSOPS_FIXTURES_DIR
      "/config/full.yaml\n",
      "test.yaml");
  const GlobalConfig global = read_global(doc.root());
  CHECK(global.state_dir == "/tmp/hsops-state");
  CHECK(global.connect_timeout == Millis(500));
  CHECK(global.request_timeout == Millis(30'000));
  CHECK(global.ca_file == HSOPS_FIXTURES_DIR "/config/full.yaml");
}

TEST_CASE("read_global rejects unknown http keys but leaves the root to the caller", "[config][global]") {
  const Document doc = Document::parse("http:\n  timout: 5s\nchecks: {}\n", "test.yaml");
  CHECK(error_of([&] { (void)read_global(doc.root()); }) ==
        "test.yaml:2:3: http.timout: unknown key 'timout' (did you mean 'timeout'? known here: connect_timeout, "
        "timeout, ca_file)");
  const Document fine = Document::parse("http: {}\nchecks: {}\n", "test.yaml");
  CHECK_NOTHROW(read_global(fine.root()));
}

TEST_CASE("connect_timeout may not exceed timeout / and neither may be zero", "[config][global]") {
  CHECK(error_of([] { (void)read_global(Document::parse("http:\n  connect_timeout: 20s\n", "test.yaml").root()); }) ==
        "test.yaml:2:20: http.connect_timeout: connect_timeout (20.0 s) is longer than timeout (10.0 s), the deadline "
        "for the whole call: lower it or raise timeout");
  CHECK(error_of([] { (void)read_global(Document::parse("http:\n  timeout: 0s\n", "test.yaml").root()); }) ==
        "test.yaml:2:12: http.timeout: must be greater than 0 (e.g. 3s): every HTTP call needs a deadline");
}

TEST_CASE("state_dir must be an absolute path - a missing ca_file is an error", "[config][global]") {
  CHECK(error_of([] { (void)read_global(Document::parse("state_dir: state\n", "test.yaml").root()); }) ==
        "test.yaml:1:12: state_dir: must be an absolute path (e.g. /var/lib/hsops), got 'state'");
  CHECK(error_of([] { (void)read_global(Document::parse("http:\n  ca_file: /nonexistent.pem\n", "test.yaml").root()); }) ==
        "test.yaml:2:12: http.ca_file: CA bundle /nonexistent.pem is not a readable file: fix the path, or remove "
        "ca_file to use the system store");
}

TEST_CASE("default_config_path: $HSOPS_CONFIG / else /etc/hsops/hsops.yaml", "[config][global]") {
  const char* saved = std::getenv("HSOPS_CONFIG");
  const std::string restore = saved != nullptr ? saved : "";
  ::setenv("HSOPS_CONFIG", "/tmp/x.yaml", 1);
  CHECK(default_config_path() == "/tmp/x.yaml");
  ::setenv("HSOPS_CONFIG", "", 1);
  CHECK(default_config_path() == "/etc/hsops/hsops.yaml");
  ::unsetenv("HSOPS_CONFIG");
  CHECK(default_config_path() == "/etc/hsops/hsops.yaml");
  if (saved != nullptr) ::setenv("HSOPS_CONFIG", restore.c_str(), 1);
}
