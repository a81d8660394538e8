// Section: typed getters over one mapping of the config, each error pointing at the value's
// file:line:column and key path, and the bookkeeping behind reject_unknown_keys().
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "config/config.h"
#include "config/document_state.h"

namespace hsops::config {

using detail::Entry;
using detail::Reader;
using detail::SectionNode;

namespace detail {

std::optional<Entry> Reader::find(std::string_view key) const {
  if (!node_.present || !node_.node.IsMap()) return std::nullopt;
  for (const auto& item : node_.node) {
    if (item.first.IsScalar() && item.first.Scalar() == key) return Entry{item.first, item.second};
  }
  return std::nullopt;
}

std::optional<Entry> Reader::lookup(std::string_view key) const {
  doc_.mark_read(path_, key);
  return find(key);
}

Location Reader::value_location(const Entry& entry) const {
  // A key with no value gets the mark of whatever token follows, often on the next line.
  if (entry.value.IsNull()) return key_location(entry);
  const Location value = doc_.at(entry.value.Mark());
  return value.line > 0 ? value : key_location(entry);
}

Location Reader::key_location(const Entry& entry) const { return doc_.at(entry.key.Mark()); }

std::string Reader::key_path(std::string_view key) const { return join_path(path_, key); }

void Reader::fail(const Entry& entry, std::string_view key, std::string problem) const {
  throw ConfigError(value_location(entry), key_path(key), std::move(problem));
}

void Reader::fail_at_key(const Entry& entry, std::string_view key, std::string problem) const {
  throw ConfigError(key_location(entry), key_path(key), std::move(problem));
}

std::optional<std::string> Reader::scalar(std::string_view key, std::string_view expected) const {
  const auto entry = lookup(key);
  if (!entry) return std::nullopt;
  if (entry->value.IsScalar()) return entry->value.Scalar();
  std::string problem = "expected " + std::string(expected) + ", got " + describe(entry->value);
  if (entry->value.IsNull()) problem += " (write a value, or remove the key to use the default)";
  fail(*entry, key, std::move(problem));
}

}  // namespace detail

namespace {

const SectionNode& as_section_node(const std::shared_ptr<void>& node) {
  return *static_cast<const SectionNode*>(node.get());
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// YAML 1.1 spellings too (yes/no/on/off): config files written for other tools use them.
std::optional<bool> parse_boolean(const std::string& text) {
  const std::string word = lowercase(text);
  if (word == "true" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "no" || word == "off") return false;
  return std::nullopt;
}

template <typename Number>
std::optional<Number> parse_whole(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_real(std::string_view text) {
  const auto value = parse_whole<double>(text);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

// Edit distance, for "did you mean": config keys are short, so the quadratic table is fine.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_problem(const std::string& key, const std::vector<std::string>& known) {
  std::string problem = "unknown key '" + key + "'";
  if (known.empty()) return problem + " (nothing is read here: remove it, or check its indentation)";
  const std::string* closest = nullptr;
  std::size_t best = std::max<std::size_t>(2, key.size() / 4) + 1;
  for (const auto& candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best) {
      best = distance;
      closest = &candidate;
    }
  }
  problem += " (";
  if (closest != nullptr) problem += "did you mean '" + *closest + "'? ";
  problem += "known here: ";
  for (std::size_t i = 0; i < known.size(); ++i) problem += (i == 0 ? "" : ", ") + known[i];
  return problem + ")";
}

}  // namespace

Section::Section(std::shared_ptr<detail::DocumentState> doc, std::shared_ptr<void> node, std::string path)
    : doc_(std::move(doc)), node_(std::move(node)), path_(std::move(path)) {}

bool Section::present() const { return as_section_node(node_).present; }

bool Section::has(std::string_view key) const {
  return Reader(*doc_, as_section_node(node_), path_).find(key).has_value();
}

std::string Section::path() const { return path_; }

Location Section::location() const { return as_section_node(node_).where; }

Location Section::location(std::string_view key) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto entry = reader.find(key);
  return entry ? reader.value_location(*entry) : location();
}

std::string Section::string(std::string_view key, std::string fallback) const {
  return Reader(*doc_, as_section_node(node_), path_).scalar(key, "a string").value_or(std::move(fallback));
}

std::optional<std::string> Section::optional_string(std::string_view key) const {
  return Reader(*doc_, as_section_node(node_), path_).scalar(key, "a string");
}

bool Section::boolean(std::string_view key, bool fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto text = reader.scalar(key, "true or false");
  if (!text) return fallback;
  const auto value = parse_boolean(*text);
  if (!value) reader.fail(*reader.find(key), key, "expected true or false, got '" + *text + "'");
  return *value;
}

double Section::number(std::string_view key, double fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto text = reader.scalar(key, "a number");
  if (!text) return fallback;
  const auto value = parse_real(*text);
  if (!value) reader.fail(*reader.find(key), key, "expected a number (e.g. 2.5), got '" + *text + "'");
  return *value;
}

std::int64_t Section::integer(std::string_view key, std::int64_t fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto text = reader.scalar(key, "a whole number");
  if (!text) return fallback;
  const auto value = parse_whole<std::int64_t>(*text);
  if (!value) reader.fail(*reader.find(key), key, "expected a whole number (e.g. 3), got '" + *text + "'");
  return *value;
}

Millis Section::duration(std::string_view key, Millis fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto text = reader.scalar(key, "a duration (e.g. 90s)");
  if (!text) return fallback;
  const auto value = parse_duration(*text);
  if (!value) reader.fail(*reader.find(key), key, value.error().message);
  return value.value();
}

Millis Section::positive_duration(std::string_view key, Millis fallback) const {
  const Millis v = duration(key, fallback);
  if (v.count() <= 0) fail(key, "must be a positive duration");
  return v;
}

std::int64_t Section::integer_in(std::string_view key, std::int64_t fallback, std::int64_t lo, std::int64_t hi) const {
  const std::int64_t v = integer(key, fallback);
  if (v < lo || v > hi) fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

double Section::percent(std::string_view key, double fallback) const {
  const double v = number(key, fallback);
  if (!(v >= 0 && v <= 100)) fail(key, "must be a percentage between 0 and 100");
  return v;
}

std::uint64_t Section::size(std::string_view key, std::uint64_t fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto text = reader.scalar(key, "a size (e.g. 8GiB)");
  if (!text) return fallback;
  const auto value = parse_size(*text);
  if (!value) reader.fail(*reader.find(key), key, value.error().message);
  return value.value();
}

// `~` or "" switches a threshold off, so a default threshold can be removed in the file.
std::optional<Range> Section::range(std::string_view key, std::optional<Range> fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto entry = reader.lookup(key);
  if (!entry) return fallback;
  if (entry->value.IsNull()) return std::nullopt;
  const auto text = reader.scalar(key, "a threshold range (e.g. \"10:\", \"~:5\")");
  if (text->empty()) return std::nullopt;
  auto value = Range::parse(*text);
  if (!value) reader.fail(*entry, key, value.error().message);
  return std::move(value).value();
}

std::vector<std::string> Section::strings(std::string_view key, std::vector<std::string> fallback) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto entry = reader.lookup(key);
  if (!entry) return fallback;
  const YAML::Node& value = entry->value;
  if (value.IsScalar()) {
    reader.fail(*entry, key, "expected a list, got a single value (write [value] for a list of one)");
  }
  if (!value.IsSequence()) {
    reader.fail(*entry, key, "expected a list, got " + detail::describe(value) +
                                 (value.IsNull() ? " (write [] for none, or remove the key for the default)" : ""));
  }
  std::vector<std::string> items;
  std::size_t index = 0;
  for (const auto& element : value) {
    const std::string element_path = reader.key_path(key) + "[" + std::to_string(index++) + "]";
    if (!element.IsScalar()) {
      const Location where = element.Mark().is_null() ? reader.value_location(*entry) : doc_->at(element.Mark());
      throw ConfigError(where, element_path, "expected a string, got " + detail::describe(element));
    }
    items.push_back(element.Scalar());
  }
  return items;
}

Section Section::child(std::string_view key) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto entry = reader.lookup(key);
  const std::string child_path = reader.key_path(key);
  if (!entry) return Section(doc_, detail::absent_node(Location{doc_->file, 0, 0}), child_path);
  // `disk:` with nothing under it still means "this section is here" (e.g. to enable a check).
  if (entry->value.IsNull()) {
    return Section(doc_, detail::present_node(YAML::Node(YAML::NodeType::Map), reader.key_location(*entry)),
                   child_path);
  }
  if (!entry->value.IsMap()) {
    reader.fail(*entry, key, "expected a mapping (keys indented under '" + std::string(key) + ":'), got " +
                                 detail::describe(entry->value));
  }
  return Section(doc_, detail::present_node(entry->value, reader.value_location(*entry)), child_path);
}

std::vector<Section> Section::list(std::string_view key) const {
  const Reader reader(*doc_, as_section_node(node_), path_);
  const auto entry = reader.lookup(key);
  if (!entry) return {};
  if (!entry->value.IsSequence()) {
    reader.fail(*entry, key, "expected a list of mappings (each item starting with '- '), got " +
                                 detail::describe(entry->value));
  }
  std::vector<Section> items;
  std::size_t index = 0;
  for (const auto& element : entry->value) {
    const std::string element_path = reader.key_path(key) + "[" + std::to_string(index++) + "]";
    const Location where = element.Mark().is_null() ? reader.value_location(*entry) : doc_->at(element.Mark());
    if (!element.IsMap()) {
      throw ConfigError(where, element_path, "expected a mapping (keys under '- '), got " + detail::describe(element));
    }
    items.push_back(Section(doc_, detail::present_node(element, where), element_path));
  }
  return items;
}

void Section::fail(std::string_view key, std::string problem) const {
  throw ConfigError(location(key), detail::join_path(path_, key), std::move(problem));
}

void Section::reject_unknown_keys() const {
  const SectionNode& node = as_section_node(node_);
  if (!node.present) return;
  const Reader reader(*doc_, node, path_);
  for (const auto& item : node.node) {
    const std::string& key = item.first.Scalar();
    if (doc_->was_read(path_, key)) continue;
    const auto found = doc_->read_keys.find(path_);
    const std::vector<std::string> known = found == doc_->read_keys.end() ? std::vector<std::string>{} : found->second;
    reader.fail_at_key(Entry{item.first, item.second}, key, unknown_key_problem(key, known));
  }
}

std::vector<std::string> Section::keys() const {
  const SectionNode& node = as_section_node(node_);
  std::vector<std::string> names;
  if (!node.present) return names;
  for (const auto& item : node.node) names.push_back(item.first.Scalar());
  return names;
}

}  // namespace hsops::config
