#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

#include "checks/disk/config.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

config::Section disk_section(const config::Document& doc) { return doc.root().child("checks").child("disk"); }

checks::disk::Options read(const std::string& yaml, std::optional<std::string> w = {},
                           std::optional<std::string> c = {}, std::optional<Millis> t = {}) {
  const FakeClock clock;
  checks::Services services{.clock = clock, .warning = std::move(w), .critical = std::move(c), .timeout = t};
  services.global.state_dir = "/tmp/hsops-state";
  const auto doc = config::Document::parse(yaml, "test.yaml");
  return checks::read_disk_options(disk_section(doc), services);
}

// The example with every "# key: value" line (and nested "#   key: value") uncommented.
std::string uncommented_example() {
  std::istringstream in{std::string(checks::disk_check_info().example)};
  std::string text = "checks:\n  disk:\n", line;
  const std::regex key_line(R"(^# ( *)([a-z_]+:.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, key_line)) text += "    " + m[1].str() + m[2].str() + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("disk config: defaults are the node-mixin's", "[disk][config]") {
  const auto o = read("");
  CHECK(o.paths.empty());
  CHECK(o.statfs_timeout == 5000ms);
  CHECK(o.state_file == "/tmp/hsops-state/disk-samples.json");
  CHECK(o.bounds.window == 6h);
  CHECK(o.bounds.max_samples == 256);
  CHECK(o.bounds.forget_after == std::chrono::hours(7 * 24));
  CHECK(o.min_samples == 3);
  CHECK(o.space.warn_free_percent == 40);
  CHECK(o.space.warn_within == 24h);
  CHECK(o.space.crit_free_percent == 20);
  CHECK(o.space.crit_within == 4h);
  CHECK(o.space.warn_floor.text() == "5:");
  CHECK(o.space.crit_floor.text() == "3:");
  CHECK(o.inodes.crit_floor.text() == "3:");
}

TEST_CASE("disk config: the shipped example parses and means the defaults", "[disk][config]") {
  const std::string yaml = uncommented_example();
  INFO(yaml);
  const auto o = read(yaml);
  CHECK(o.paths.size() == 3);
  CHECK(o.state_file == "/var/lib/hsops/disk-samples.json");
  CHECK(o.space.warn_within == 24h);
  CHECK(o.inodes.warn_floor.text() == "5:");
  CHECK(o.filter.mount_points_exclude.size() == 1);
  CHECK(std::regex_search("/run/credentials/x.service", o.filter.mount_points_exclude[0]));
}

TEST_CASE("disk config: values / -w/-c/-t overrides and bad input", "[disk][config]") {
  const auto o = read(
      "checks:\n  disk:\n    paths: [/var]\n    statfs_timeout: 20s\n    warn_floor_percent: 12\n"
      "    inodes:\n      crit_free_percent: 10\n",
      std::string("10:"), std::string("5:"), Millis(2000));
  CHECK(o.paths == std::vector<std::string>{"/var"});
  CHECK(o.statfs_timeout == 2000ms);  // -t caps it
  CHECK(o.space.warn_floor.text() == "10:");  // -w wins over warn_floor_percent
  CHECK(o.space.crit_floor.text() == "5:");
  CHECK(o.inodes.crit_free_percent == 10);
  CHECK(o.inodes.warn_floor.text() == "5:");  // -w is about space only

  CHECK_THROWS_AS(read("checks:\n  disk:\n    warn_free_percent: 140\n"), config::ConfigError);
  CHECK_THROWS_AS(read("checks:\n  disk:\n    paths: [var]\n"), config::ConfigError);
  CHECK_THROWS_AS(read("checks:\n  disk:\n    mount_points_exclude: ['(']\n"), config::ConfigError);
  CHECK_THROWS_AS(read("checks:\n  disk:\n    fit_widow: 6h\n"), config::ConfigError);
  CHECK_THROWS_AS(read("checks:\n  disk:\n    inodes:\n      bogus: 1\n"), config::ConfigError);
  CHECK_THROWS_AS(read("checks:\n  disk:\n    min_samples: 1\n"), config::ConfigError);
  CHECK_THROWS_AS(read("", std::string("nonsense")), config::ConfigError);
}

TEST_CASE("disk config: registry entry", "[disk][config]") {
  const auto info = checks::disk_check_info();
  CHECK(info.name == "disk");
  CHECK(info.default_enabled);
  CHECK(info.make != nullptr);
  CHECK(info.threshold_help.find("-w 10: -c 5:") != std::string_view::npos);
}

TEST_CASE("disk config: -w on avail % stays a plain number (no units)", "[disk][config]") {
  const FakeClock clock;
  const checks::Services services{.clock = clock, .warning = std::string("10MiB:")};
  const auto doc = config::Document::parse("checks:\n  disk: {}\n", "test.yaml");
  CHECK_THROWS_AS(checks::read_disk_options(doc.root().child("checks").child("disk"), services), config::ConfigError);
}
