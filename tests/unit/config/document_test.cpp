// Parsing whole documents: syntax errors, empty files, the top level, duplicate keys, loading.
#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace hsops::config;
using hsops::config::test::error_of;
using hsops::config::test::TempFile;

TEST_CASE("Location reads file:line:column / or <defaults> for built-in values", "[config]") {
  CHECK(Location{"/etc/hsops/hsops.yaml", 12, 7}.to_string() == "/etc/hsops/hsops.yaml:12:7");
  CHECK(Location{"", 0, 0}.to_string() == "<defaults>");
  CHECK(Location{"hsops.yaml", 0, 0}.to_string() == "hsops.yaml");
}

TEST_CASE("ConfigError says where / which key and what is wrong", "[config]") {
  const ConfigError error(Location{"/etc/hsops/hsops.yaml", 12, 7}, "checks.disk.fit_window",
                          "invalid duration '5 parsecs'");
  CHECK(std::string(error.what()) == "/etc/hsops/hsops.yaml:12:7: checks.disk.fit_window: invalid duration '5 parsecs'");
  CHECK(error.where().line == 12);
  CHECK(error.key_path() == "checks.disk.fit_window");
  CHECK(error.problem() == "invalid duration '5 parsecs'");
}

TEST_CASE("a YAML syntax error names file:line:column", "[config]") {
  const std::string text = "checks:\n  disk:\n    paths: [/, /var\n";
  const std::string message = error_of([&] { (void)Document::parse(text, "test.yaml"); });
  CHECK_THAT(message, Catch::StartsWith("test.yaml:4:1: YAML syntax error: "));
}

TEST_CASE("a tab in the indentation is a syntax error at the tab", "[config]") {
  const std::string message = error_of([] { (void)Document::parse("http:\n\ttimeout: 5s\n", "test.yaml"); });
  CHECK(message == "test.yaml:2:1: YAML syntax error: a tab in the indentation (YAML indents with spaces only)");
}

TEST_CASE("a syntax error in the middle of the file points at its line", "[config]") {
  const std::string text = "state_dir: /x\nhttp:\n  timeout: 5s\n   connect_timeout: 1s\nchecks: {}\n";
  CHECK(error_of([&] { (void)Document::parse(text, "test.yaml"); }) ==
        "test.yaml:4:19: YAML syntax error: illegal map value");
}

TEST_CASE("an empty file or one of only comments is an empty config", "[config]") {
  for (const char* text : {"", "\n", "# nothing here yet\n# really\n", "---\n"}) {
    INFO(text);
    const Document doc = Document::parse(text, "test.yaml");
    const Section root = doc.root();
    CHECK_FALSE(root.present());
    CHECK(root.child("http").duration("timeout", hsops::Millis(10'000)) == hsops::Millis(10'000));
    CHECK_NOTHROW(root.reject_unknown_keys());
    CHECK(doc.warnings().empty());
  }
}

TEST_CASE("Document::empty gives every default", "[config]") {
  const Document doc = Document::empty();
  const Section root = doc.root();
  CHECK_FALSE(root.present());
  CHECK(doc.file().empty());
  CHECK(root.location().to_string() == "<defaults>");
  const Section disk = root.child("checks").child("disk");
  CHECK_FALSE(disk.present());
  CHECK(disk.path() == "checks.disk");
  CHECK(disk.strings("paths", {"/"}) == std::vector<std::string>{"/"});
  CHECK(disk.size("reserve", 42) == 42u);
  CHECK_FALSE(disk.range("warning", std::nullopt).has_value());
  CHECK(disk.range("critical", hsops::Range::parse("10:").value())->text() == "10:");
  CHECK(disk.list("mounts").empty());
  CHECK_FALSE(disk.secret("token").has_value());
  CHECK(disk.keys().empty());
  CHECK_NOTHROW(disk.reject_unknown_keys());
}

TEST_CASE("the top level must be a mapping", "[config]") {
  CHECK(error_of([] { (void)Document::parse("- a\n- b\n", "test.yaml"); }) ==
        "test.yaml:1:1: the top level must be a mapping of keys (e.g. 'state_dir: /var/lib/hsops'), got a sequence");
  CHECK(error_of([] { (void)Document::parse("just words\n", "test.yaml"); }) ==
        "test.yaml:1:1: the top level must be a mapping of keys (e.g. 'state_dir: /var/lib/hsops'), got a single value");
}

TEST_CASE("a second YAML document in the file is an error", "[config]") {
  CHECK(error_of([] { (void)Document::parse("a: 1\n---\nb: 2\n", "test.yaml"); }) ==
        "test.yaml:3:1: a second YAML document (after ---): hsops reads one document per file; merge them or remove the ---");
}

TEST_CASE("a duplicate key is an error at its second occurrence", "[config]") {
  const std::string text =
      "checks:\n"
      "  disk:\n"
      "    paths: [/]\n"
      "    fit_window: 1h\n"
      "    paths: [/var]\n";
  CHECK(error_of([&] { (void)Document::parse(text, "test.yaml"); }) ==
        "test.yaml:5:5: checks.disk.paths: duplicate key 'paths' (first set at line 3, column 5): keep one of them");
}

TEST_CASE("duplicate keys inside list items are found too", "[config]") {
  const std::string text =
      "items:\n"
      "  - name: a\n"
      "  - name: b\n"
      "    name: c\n";
  CHECK(error_of([&] { (void)Document::parse(text, "test.yaml"); }) ==
        "test.yaml:4:5: items[1].name: duplicate key 'name' (first set at line 3, column 5): keep one of them");
}

TEST_CASE("a key that is not a plain name is an error", "[config]") {
  CHECK(error_of([] { (void)Document::parse("? [a, b]\n: 1\n", "test.yaml"); }) ==
        "test.yaml:1:3: keys must be plain names, got a sequence as a key");
}

TEST_CASE("a YAML merge key is an error rather than a key named <<", "[config]") {
  CHECK(error_of([] { (void)Document::parse("base: &b\n  a: 1\nx:\n  <<: *b\n", "test.yaml"); }) ==
        "test.yaml:4:3: x.<<: YAML merge keys (<<) are not supported: write the keys out in this mapping");
  CHECK(Document::parse("x:\n  \"<<\": 1\n", "test.yaml").root().child("x").keys() == std::vector<std::string>{"<<"});
}

TEST_CASE("a missing config file names the path and what to do", "[config]") {
  const std::string message = error_of([] { (void)Document::load("/nonexistent/hsops.yaml"); });
  CHECK(message ==
        "/nonexistent/hsops.yaml: cannot read config file (No such file or directory): create it "
        "(`hsops config example > /nonexistent/hsops.yaml` writes one with every default), or point --config or "
        "$HSOPS_CONFIG at another file");
}

TEST_CASE("a directory given as the config file is an error", "[config]") {
  const TempFile file("x", "", 0600);
  const std::string message = error_of([&] { (void)Document::load(file.dir()); });
  CHECK_THAT(message, Catch::StartsWith(file.dir().string() + ": cannot read config file: it is a directory: create it"));
}

TEST_CASE("an unreadable config file is an error", "[config]") {
  if (::geteuid() == 0) return;  // root reads mode 000 files anyway
  const TempFile file("hsops.yaml", "state_dir: /x\n", 0000);
  CHECK_THAT(error_of([&] { (void)Document::load(file.path()); }),
             Catch::StartsWith(file.path().string() + ": cannot read config file (Permission denied)"));
}

TEST_CASE("a fixture file loads with its path in locations", "[config]") {
  const std::string path = std::string(HSOPS_FIXTURES_DIR) + "/config/full.yaml";
  const Document doc = Document::load(path);
  CHECK(doc.file() == path);
  const Section root = doc.root();
  const GlobalConfig global = read_global(root);
  CHECK(global.state_dir == "/srv/hsops/state");
  CHECK(global.connect_timeout == hsops::Millis(2'000));
  CHECK(global.request_timeout == hsops::Millis(15'000));
  const Section disk = root.child("checks").child("disk");
  CHECK(disk.strings("paths", {}) == std::vector<std::string>{"/", "/var/lib/postgresql"});
  CHECK(disk.duration("fit_window", hsops::Millis(0)) == hsops::Millis(6 * 3'600'000));
  CHECK(disk.range("warning", std::nullopt)->text() == "~:48");
  CHECK(disk.location("fit_window").to_string() == path + ":13:17");
  CHECK_NOTHROW(disk.reject_unknown_keys());
  const Section clock = root.child("checks").child("clock");
  CHECK(clock.present());
  (void)clock.duration("max_offset", hsops::Millis(0));
  CHECK_NOTHROW(clock.reject_unknown_keys());
  CHECK_NOTHROW(root.reject_unknown_keys());
}

TEST_CASE("a fixture with a mistake reports the line in that file", "[config]") {
  const std::string path = std::string(HSOPS_FIXTURES_DIR) + "/config/bad_duration.yaml";
  const Document doc = Document::load(path);
  CHECK(error_of([&] { (void)doc.root().child("checks").child("disk").duration("fit_window", hsops::Millis(0)); }) ==
        path + ":4:17: checks.disk.fit_window: invalid duration '5 parsecs' (use e.g. 250ms, 90s, 5m, 1h30m, 2d)");
}
