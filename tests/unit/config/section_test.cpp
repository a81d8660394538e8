// Section getters: typed values, wrong types, bad units, lists, unknown keys.
#include <catch2/catch.hpp>

#include "config/config.h"
#include "config_test_support.h"

using namespace hsops::config;
using hsops::Millis;
using hsops::config::test::error_of;

namespace {

Section disk_of(const Document& doc) { return doc.root().child("checks").child("disk"); }

}  // namespace

TEST_CASE("values of every type come back typed", "[config]") {
  const Document doc = Document::parse(
      "name: main\n"
      "verbose: yes\n"
      "quiet: false\n"
      "ratio: 2.5\n"
      "count: -3\n"
      "window: 1h30m\n"
      "reserve: 8GiB\n"
      "warning: \"10:\"\n"
      "tags: [a, b]\n",
      "test.yaml");
  const Section root = doc.root();
  CHECK(root.present());
  CHECK(root.string("name", "") == "main");
  CHECK(root.optional_string("name") == std::optional<std::string>("main"));
  CHECK_FALSE(root.optional_string("absent").has_value());
  CHECK(root.boolean("verbose", false));
  CHECK_FALSE(root.boolean("quiet", true));
  CHECK(root.number("ratio", 0) == 2.5);
  CHECK(root.integer("count", 0) == -3);
  CHECK(root.duration("window", Millis(0)) == Millis(5'400'000));
  CHECK(root.size("reserve", 0) == 8ull << 30);
  CHECK(root.range("warning", std::nullopt)->text() == "10:");
  CHECK(root.strings("tags", {}) == std::vector<std::string>{"a", "b"});
  CHECK(root.has("tags"));
  CHECK_FALSE(root.has("nope"));
  CHECK(root.keys() == std::vector<std::string>{"name", "verbose", "quiet", "ratio", "count", "window", "reserve",
                                                 "warning", "tags"});
  CHECK_NOTHROW(root.reject_unknown_keys());
}

TEST_CASE("absent keys and sections give the defaults", "[config]") {
  const Document doc = Document::parse("checks:\n  clock: {}\n", "test.yaml");
  const Section disk = disk_of(doc);
  CHECK_FALSE(disk.present());
  CHECK(disk.duration("fit_window", Millis(7)) == Millis(7));
  CHECK(disk.string("mode", "x") == "x");
  CHECK(disk.boolean("enabled", true));
  CHECK(disk.location().to_string() == "test.yaml");
  CHECK(doc.root().child("checks").child("clock").present());
}

TEST_CASE("a section with nothing under it is present and empty", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n", "test.yaml");
  const Section disk = disk_of(doc);
  CHECK(disk.present());
  CHECK(disk.keys().empty());
  CHECK(disk.location().to_string() == "test.yaml:2:3");
}

TEST_CASE("a bad duration names file:line:column / key path and the fix", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    fit_window: 5 parsecs\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).duration("fit_window", Millis(0)); }) ==
        "test.yaml:3:17: checks.disk.fit_window: invalid duration '5 parsecs' (use e.g. 250ms, 90s, 5m, 1h30m, 2d)");
}

TEST_CASE("a list where a duration is expected is a type error", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    fit_window: [1h, 2h]\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).duration("fit_window", Millis(0)); }) ==
        "test.yaml:3:17: checks.disk.fit_window: expected a duration (e.g. 90s), got a sequence");
}

TEST_CASE("a key with no value where a value is expected is an error", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    fit_window:\n    x: 1\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).duration("fit_window", Millis(0)); }) ==
        "test.yaml:3:5: checks.disk.fit_window: expected a duration (e.g. 90s), got no value "
        "(write a value, or remove the key to use the default)");
}

TEST_CASE("a bad size names the location", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    reserve: 8 gigs\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).size("reserve", 0); }) ==
        "test.yaml:3:14: checks.disk.reserve: invalid size '8 gigs' (use e.g. 4096, 500MB, 8GiB, 1TiB)");
}

TEST_CASE("a bad range names the location and the Nagios syntax", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    warning: \"20:10\"\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).range("warning", std::nullopt); }) ==
        "test.yaml:3:14: checks.disk.warning: invalid threshold range '20:10': start is greater than end "
        "(Nagios syntax: 10, 10:, ~:10, 10:20, @10:20)");
}

TEST_CASE("range ~ or an empty string switches a threshold off", "[config]") {
  const Document doc = Document::parse("a: ~\nb: \"\"\n", "test.yaml");
  const auto fallback = hsops::Range::parse("5").value();
  CHECK_FALSE(doc.root().range("a", fallback).has_value());
  CHECK_FALSE(doc.root().range("b", fallback).has_value());
  CHECK(doc.root().range("c", fallback)->text() == "5");
}

TEST_CASE("booleans are true/false (or yes/no) / nothing else", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    enabled: maybe\n    on_root: 1\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).boolean("enabled", true); }) ==
        "test.yaml:3:14: checks.disk.enabled: expected true or false, got 'maybe'");
  CHECK(error_of([&] { (void)disk_of(doc).boolean("on_root", true); }) ==
        "test.yaml:4:14: checks.disk.on_root: expected true or false, got '1'");
}

TEST_CASE("numbers must be numbers", "[config]") {
  const Document doc = Document::parse("a: ten\nb: 1.5\nc: .inf\nd: {x: 1}\ne: 99999999999999999999\n", "test.yaml");
  const Section root = doc.root();
  CHECK(error_of([&] { (void)root.number("a", 0); }) == "test.yaml:1:4: a: expected a number (e.g. 2.5), got 'ten'");
  CHECK(error_of([&] { (void)root.integer("b", 0); }) == "test.yaml:2:4: b: expected a whole number (e.g. 3), got '1.5'");
  CHECK(error_of([&] { (void)root.number("c", 0); }) == "test.yaml:3:4: c: expected a number (e.g. 2.5), got '.inf'");
  CHECK(error_of([&] { (void)root.number("d", 0); }) == "test.yaml:4:4: d: expected a number, got a mapping");
  CHECK(error_of([&] { (void)root.integer("e", 0); }) ==
        "test.yaml:5:4: e: expected a whole number (e.g. 3), got '99999999999999999999'");
  CHECK(root.number("b", 0) == 1.5);
}

TEST_CASE("a string where a mapping is expected is a type error", "[config]") {
  const Document doc = Document::parse("checks:\n  disk: yes please\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc); }) ==
        "test.yaml:2:9: checks.disk: expected a mapping (keys indented under 'disk:'), got a single value");
}

TEST_CASE("strings: a list of values - a single value or a nested item is an error", "[config]") {
  const Document doc = Document::parse(
      "checks:\n"
      "  disk:\n"
      "    paths:\n"
      "      - /\n"
      "      - {mount: /var}\n"
      "    single: /\n",
      "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).strings("paths", {}); }) ==
        "test.yaml:5:9: checks.disk.paths[1]: expected a string, got a mapping");
  CHECK(error_of([&] { (void)disk_of(doc).strings("single", {}); }) ==
        "test.yaml:6:13: checks.disk.single: expected a list, got a single value (write [value] for a list of one)");
}

TEST_CASE("list: a sequence of mappings with indexed key paths", "[config]") {
  const Document doc = Document::parse(
      "targets:\n"
      "  - name: a\n"
      "    url: https://a.example\n"
      "  - name: b\n"
      "    urll: https://b.example\n"
      "  - just a string\n",
      "test.yaml");
  const Section root = doc.root();
  CHECK(error_of([&] { (void)root.list("targets"); }) ==
        "test.yaml:6:5: targets[2]: expected a mapping (keys under '- '), got a single value");
  const Document good = Document::parse("targets:\n  - name: a\n    url: x\n  - name: b\n    urll: y\n", "test.yaml");
  const auto items = good.root().list("targets");
  REQUIRE(items.size() == 2);
  CHECK(items[1].path() == "targets[1]");
  CHECK(items[1].location().to_string() == "test.yaml:4:5");
  for (const auto& item : items) {
    (void)item.string("name", "");
    (void)item.string("url", "");
  }
  CHECK_NOTHROW(items[0].reject_unknown_keys());
  CHECK(error_of([&] { items[1].reject_unknown_keys(); }) ==
        "test.yaml:5:5: targets[1].urll: unknown key 'urll' (did you mean 'url'? known here: name, url)");
  CHECK(error_of([&] { (void)good.root().list("missing_ok"); }) == "(no error)");
  CHECK(error_of([&] { (void)Document::parse("t: x\n", "test.yaml").root().list("t"); }) ==
        "test.yaml:1:4: t: expected a list of mappings (each item starting with '- '), got a single value");
}

TEST_CASE("an unknown nested key names the known keys and a likely spelling", "[config]") {
  const Document doc = Document::parse(
      "checks:\n"
      "  disk:\n"
      "    fit_window: 1h\n"
      "    pathz: [/]\n",
      "test.yaml");
  const Section disk = disk_of(doc);
  (void)disk.strings("paths", {"/"});
  (void)disk.duration("fit_window", Millis(0));
  (void)disk.range("warning", std::nullopt);
  CHECK(error_of([&] { disk.reject_unknown_keys(); }) ==
        "test.yaml:4:5: checks.disk.pathz: unknown key 'pathz' (did you mean 'paths'? known here: paths, "
        "fit_window, warning)");
}

TEST_CASE("keys read through a copy of a Section count as read", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    paths: [/]\n    junk: 1\n", "test.yaml");
  (void)doc.root().child("checks").child("disk").strings("paths", {});  // one copy reads
  const Section again = disk_of(doc);                                  // another rejects
  CHECK(error_of([&] { again.reject_unknown_keys(); }) ==
        "test.yaml:4:5: checks.disk.junk: unknown key 'junk' (known here: paths)");
}

TEST_CASE("child() counts as reading - has() and keys() do not", "[config]") {
  const Document doc = Document::parse("checks:\n  disk: {}\nextra: 1\nhttp: {}\n", "test.yaml");
  const Section root = doc.root();
  (void)root.child("checks");
  CHECK(root.has("http"));
  (void)root.keys();
  CHECK(error_of([&] { root.reject_unknown_keys(); }) ==
        "test.yaml:3:1: extra: unknown key 'extra' (known here: checks)");
}

TEST_CASE("an unknown key where nothing is read says so", "[config]") {
  const Document doc = Document::parse("checks:\n  clock:\n    oops: 1\n", "test.yaml");
  CHECK(error_of([&] { doc.root().child("checks").child("clock").reject_unknown_keys(); }) ==
        "test.yaml:3:5: checks.clock.oops: unknown key 'oops' (nothing is read here: remove it, or check its indentation)");
}

TEST_CASE("fail() points at the key's value / or the section when the key is absent", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    warning: \"~:48\"\n", "test.yaml");
  const Section disk = disk_of(doc);
  CHECK(error_of([&] { disk.fail("warning", "must be below critical"); }) ==
        "test.yaml:3:14: checks.disk.warning: must be below critical");
  CHECK(error_of([&] { disk.fail("critical", "is required"); }) == "test.yaml:3:5: checks.disk.critical: is required");
  const Section absent = doc.root().child("checks").child("probe");
  CHECK(error_of([&] { absent.fail("url", "is required"); }) == "test.yaml: checks.probe.url: is required");
  CHECK(error_of([] { Document::empty().root().child("x").fail("y", "z"); }) == "<defaults>: x.y: z");
}

TEST_CASE("positive_duration refuses zero and below at the key's location", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    a: 0s\n    b: 2s\n", "test.yaml");
  CHECK(error_of([&] { (void)disk_of(doc).positive_duration("a", Millis(1)); }) ==
        "test.yaml:3:8: checks.disk.a: must be a positive duration");
  CHECK(disk_of(doc).positive_duration("b", Millis(1)) == Millis(2000));
  CHECK(disk_of(doc).positive_duration("c", Millis(7)) == Millis(7));
}

TEST_CASE("integer_in accepts both bounds and names them when out of range", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    lo: 1\n    hi: 16\n    over: 17\n", "test.yaml");
  CHECK(disk_of(doc).integer_in("lo", 5, 1, 16) == 1);
  CHECK(disk_of(doc).integer_in("hi", 5, 1, 16) == 16);
  CHECK(disk_of(doc).integer_in("absent", 5, 1, 16) == 5);
  CHECK(error_of([&] { (void)disk_of(doc).integer_in("over", 5, 1, 16); }) ==
        "test.yaml:5:11: checks.disk.over: must be between 1 and 16");
}

TEST_CASE("percent accepts 0 to 100 and refuses the rest", "[config]") {
  const Document doc = Document::parse("checks:\n  disk:\n    p: 12.5\n    q: 100.5\n    r: -1\n", "test.yaml");
  CHECK(disk_of(doc).percent("p", 0) == 12.5);
  CHECK(error_of([&] { (void)disk_of(doc).percent("q", 0); }) ==
        "test.yaml:4:8: checks.disk.q: must be a percentage between 0 and 100");
  CHECK(error_of([&] { (void)disk_of(doc).percent("r", 0); }) ==
        "test.yaml:5:8: checks.disk.r: must be a percentage between 0 and 100");
}
