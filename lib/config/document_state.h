// Internal to lib/config: the state every Section of one Document shares (the parsed YAML,
// which keys readers asked for, warnings) and the small helpers the getters build on.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace hsops::config::detail {

struct DocumentState {
  std::string file;                 // "" for Document::empty()
  std::optional<YAML::Node> root;   // nullopt when the file holds no mapping (empty / comments)
  // Keys read per mapping, by key path, in the order readers asked: Sections are cheap copies,
  // so this is where reject_unknown_keys() learns what "known" means for a mapping.
  std::map<std::string, std::vector<std::string>, std::less<>> read_keys;
  std::vector<std::string> warnings;

  void mark_read(const std::string& path, std::string_view key);
  bool was_read(const std::string& path, std::string_view key) const;
  void warn(std::string message);  // once per distinct message
  Location at(const YAML::Mark& mark) const;
};

// What a Section's opaque node points at: the mapping (when present) and where it starts.
struct SectionNode {
  YAML::Node node;  // a mapping when present; unused otherwise
  bool present = false;
  Location where;   // the mapping's first position; file only (line 0) when absent
};
std::shared_ptr<void> present_node(const YAML::Node& mapping, Location where);
std::shared_ptr<void> absent_node(Location where);

// A key found in a mapping, with both nodes so errors can point at either.
struct Entry {
  YAML::Node key;
  YAML::Node value;
};

// The getters' common work on one mapping: finding keys (and recording that they were read),
// pointing errors at the right node, and insisting on a single value where one is expected.
class Reader {
 public:
  Reader(DocumentState& doc, const SectionNode& node, const std::string& path)
      : doc_(doc), node_(node), path_(path) {}

  std::optional<Entry> find(std::string_view key) const;    // does not count as reading
  std::optional<Entry> lookup(std::string_view key) const;  // counts as reading key
  Location value_location(const Entry& entry) const;        // the value, else its key
  Location key_location(const Entry& entry) const;
  std::string key_path(std::string_view key) const;

  [[noreturn]] void fail(const Entry& entry, std::string_view key, std::string problem) const;
  [[noreturn]] void fail_at_key(const Entry& entry, std::string_view key, std::string problem) const;

  // The text of key's value (nullopt when absent); anything but a single value is an error
  // "expected <expected>, got a sequence".
  std::optional<std::string> scalar(std::string_view key, std::string_view expected) const;

  DocumentState& doc() const { return doc_; }

 private:
  DocumentState& doc_;
  const SectionNode& node_;
  const std::string& path_;
};

// "checks" + "disk" -> "checks.disk"; "" + "state_dir" -> "state_dir".
std::string join_path(const std::string& parent, std::string_view key);

// "a sequence", "a mapping", "no value", "a string" (never the scalar's text: it may be a secret).
std::string describe(const YAML::Node& node);

}  // namespace hsops::config::detail
