// Loading hsops's YAML config into typed values. Every error names file:line:column and the
// key path; every key a reader does not ask for is reported as unknown. Checks read their
// own section through Section, so adding a check never touches this module.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/range.h"
#include "core/units.h"

namespace hsops::config {

struct Location {
  std::string file;  // "" when the value is a built-in default
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based
  std::string to_string() const;  // "file:line:column"
};

// Bad config: thrown at start-up, turned into a clear message and exit code 3 by main.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location where, std::string key_path, std::string problem);
  const Location& where() const { return where_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  Location where_;
  std::string key_path_;
  std::string problem_;
};

namespace detail { struct DocumentState; }

// A view of one mapping in the config (or of an absent one: then every getter returns its
// default). Getters record which keys were read so reject_unknown_keys() can name the rest.
class Section {
 public:
  bool present() const;                  // the mapping exists in the file
  bool has(std::string_view key) const;
  std::string path() const;              // key path, e.g. "checks.disk"
  Location location() const;             // where this mapping starts
  Location location(std::string_view key) const;  // where key's value is (or the mapping)

  std::string string(std::string_view key, std::string fallback) const;
  std::optional<std::string> optional_string(std::string_view key) const;
  bool boolean(std::string_view key, bool fallback) const;
  double number(std::string_view key, double fallback) const;
  std::int64_t integer(std::string_view key, std::int64_t fallback) const;
  Millis duration(std::string_view key, Millis fallback) const;
  std::uint64_t size(std::string_view key, std::uint64_t fallback) const;
  std::optional<Range> range(std::string_view key, std::optional<Range> fallback) const;
  std::vector<std::string> strings(std::string_view key, std::vector<std::string> fallback) const;
  // Checked shapes, one message each wherever they are used:
  // a duration above zero ("must be a positive duration"),
  Millis positive_duration(std::string_view key, Millis fallback) const;
  // a whole number in [lo, hi] ("must be between LO and HI"),
  std::int64_t integer_in(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const;
  // a number in [0, 100] ("must be a percentage between 0 and 100").
  double percent(std::string_view key, double fallback) const;

  Section child(std::string_view key) const;          // a nested mapping (absent -> empty)
  std::vector<Section> list(std::string_view key) const;  // a sequence of mappings

  // A secret is never inline: `<key>_file: PATH` (first line, trailing newline stripped) or
  // `<key>_env: VAR`. Returns nullopt when neither is set. A file readable by group/others
  // adds a warning to the document. Missing file / unset variable is a ConfigError.
  std::optional<std::string> secret(std::string_view key) const;

  // For a check's own validation: throws ConfigError at key's location.
  [[noreturn]] void fail(std::string_view key, std::string problem) const;

  // Throws ConfigError for the first key of this mapping no getter or child() asked for.
  void reject_unknown_keys() const;
  // The keys of this mapping, in file order (for sections keyed by name).
  std::vector<std::string> keys() const;

 private:
  friend class Document;
  Section(std::shared_ptr<detail::DocumentState> doc, std::shared_ptr<void> node, std::string path);
  std::shared_ptr<detail::DocumentState> doc_;
  std::shared_ptr<void> node_;  // detail::SectionNode (a YAML::Node + where), opaque so yaml-cpp stays out of this header
  std::string path_;
};

class Document {
 public:
  // Parses the file; syntax errors and a missing/unreadable file are ConfigErrors.
  static Document load(const std::filesystem::path& file);
  static Document parse(std::string_view yaml_text, std::string file_name);
  // No config file at all: every section is absent, so every value is its default.
  static Document empty();

  Section root() const;
  const std::string& file() const;
  // Non-fatal findings, e.g. "secret file /etc/hsops/token is readable by others (mode 0644)".
  const std::vector<std::string>& warnings() const;

 private:
  explicit Document(std::shared_ptr<detail::DocumentState> state);
  std::shared_ptr<detail::DocumentState> state_;
};

// The settings every part of hsops shares (top-level keys of the config file).
struct GlobalConfig {
  std::filesystem::path state_dir = "/var/lib/hsops";
  Millis connect_timeout{3000};   // http.connect_timeout
  Millis request_timeout{10000};  // http.timeout
  std::string ca_file;            // http.ca_file: extra CA bundle ("" = system store)
};
GlobalConfig read_global(const Section& root);

// Where the CLI looks when --config is not given: $HSOPS_CONFIG, else /etc/hsops/hsops.yaml.
std::filesystem::path default_config_path();

// The document hsops and hsops-watchdog run on: `explicit_path` (--config; must exist), else
// $HSOPS_CONFIG (must exist), else /etc/hsops/hsops.yaml when present, else built-in defaults
// (Document::empty()). Throws ConfigError.
Document load_document(const std::string& explicit_path);

}  // namespace hsops::config
