// What every check's front file (lib/checks/<name>/config.h) exports: CheckInfo, and the
// Services a check is built with. Kept apart from registry.h so a check's files never pull in
// every other check.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/range.h"
#include "core/range_units.h"
#include "core/units.h"

namespace hsops::checks {

// What a check gets besides its own config section: clients and shared settings, by value or
// reference, never globals.
// Built with designated initializers, e.g. Services{.clock = clock, .timeout = Millis(3000)}.
struct Services {
  const Clock& clock;
  config::GlobalConfig global{};
  std::filesystem::path proc_root = "/proc";  // tests point this at a fixture tree
  // Command-line overrides (-w/-c in Nagios range syntax, -t); each check documents which
  // figure they apply to. Empty = use config.
  std::optional<std::string> warning{};
  std::optional<std::string> critical{};
  std::optional<Millis> timeout{};
};

struct CheckInfo {
  std::string_view name;         // "disk": CLI subcommand, config key checks.<name>, label value
  std::string_view summary;      // one line for --help and docs
  std::string_view threshold_help;  // what -w/-c apply to, "" when the check takes none
  bool default_enabled = false;  // runs in `check all` without a config section
  std::string_view example;      // commented YAML for checks.<name>, for `hsops config example`
  // Reads the section (throwing ConfigError for bad values, then reject_unknown_keys()).
  std::shared_ptr<Check> (*make)(const config::Section& section, const Services& services) = nullptr;
  // Reads the section exactly as make does, without building the check (no state files, no
  // clients): how `config validate` and a single `hsops check <name>` check the other sections.
  void (*validate)(const config::Section& section, const Services& services) = nullptr;
};

// A -w/-c override from the command line: nullopt when not given; a bad range is a
// ConfigError located at "command line" that names the flag. `figure` says which units the
// ends may carry besides plain numbers (-w 50MiB, -c 2s); a percent stays Figure::number.
std::optional<Range> cli_range(const std::optional<std::string>& text, const char* flag, Figure figure);

// A single -w/-c value for checks whose threshold is one size or one duration (not a range):
// nullopt when not given; a bad value is a ConfigError at "command line" naming the flag.
std::optional<std::uint64_t> cli_size(const std::optional<std::string>& text, const char* flag);
std::optional<Millis> cli_duration(const std::optional<std::string>& text, const char* flag);

}  // namespace hsops::checks
