// Config documents: reading and parsing the YAML file, checking what yaml-cpp does not
// (duplicate keys, non-name keys, the top level being a mapping), and the error type.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "config/document_state.h"

namespace hsops::config {

std::string Location::to_string() const {
  if (file.empty()) return "<defaults>";
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

namespace {

std::string error_text(const Location& where, const std::string& key_path, const std::string& problem) {
  std::string text = where.to_string() + ": ";
  if (!key_path.empty()) text += key_path + ": ";
  return text + problem;
}

}  // namespace

ConfigError::ConfigError(Location where, std::string key_path, std::string problem)
    : std::runtime_error(error_text(where, key_path, problem)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

namespace detail {

void DocumentState::mark_read(const std::string& path, std::string_view key) {
  auto& keys = read_keys[path];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.emplace_back(key);
}

bool DocumentState::was_read(const std::string& path, std::string_view key) const {
  const auto found = read_keys.find(path);
  if (found == read_keys.end()) return false;
  return std::find(found->second.begin(), found->second.end(), key) != found->second.end();
}

void DocumentState::warn(std::string message) {
  if (std::find(warnings.begin(), warnings.end(), message) == warnings.end()) {
    warnings.push_back(std::move(message));
  }
}

Location DocumentState::at(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return Location{file, 0, 0};
  return Location{file, mark.line + 1, mark.column + 1};  // yaml-cpp counts from 0
}

std::shared_ptr<void> present_node(const YAML::Node& mapping, Location where) {
  return std::make_shared<SectionNode>(SectionNode{mapping, true, std::move(where)});
}

std::shared_ptr<void> absent_node(Location where) {
  return std::make_shared<SectionNode>(SectionNode{YAML::Node(), false, std::move(where)});
}

std::string join_path(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return "no value";
    case YAML::NodeType::Scalar: return "a single value";
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

}  // namespace detail

namespace {

using detail::DocumentState;

// yaml-cpp keeps the last of two equal keys silently; an operator who wrote a key twice meant
// one of them, so both being accepted would hide a mistake. Walks the whole tree once.
void check_mappings(const DocumentState& state, const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) {
    std::size_t index = 0;
    for (const auto& element : node) {
      check_mappings(state, element, path + "[" + std::to_string(index++) + "]");
    }
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark, std::less<>> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      throw ConfigError(state.at(key.Mark()), path,
                        "keys must be plain names, got " + detail::describe(key) + " as a key");
    }
    const std::string& name = key.Scalar();
    const std::string key_path = detail::join_path(path, name);
    if (name == "<<" && key.Tag() == "?") {  // yaml-cpp 0.7 would keep it as a key named "<<"
      throw ConfigError(state.at(key.Mark()), key_path,
                        "YAML merge keys (<<) are not supported: write the keys out in this mapping");
    }
    const auto [first, inserted] = seen.emplace(name, key.Mark());
    if (!inserted) {
      throw ConfigError(state.at(key.Mark()), key_path,
                        "duplicate key '" + name + "' (first set at line " +
                            std::to_string(first->second.line + 1) + ", column " +
                            std::to_string(first->second.column + 1) + "): keep one of them");
    }
    check_mappings(state, entry.second, key_path);
  }
}

// yaml-cpp reports a tab in the indentation as e.g. "illegal map value" somewhere later on the
// line; the tab is the usual cause, so when a parse fails, point at the first one before it.
std::optional<Location> tab_in_indentation(const DocumentState& state, const std::string& text, int last_line) {
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; number <= last_line && std::getline(lines, line); ++number) {
    const std::size_t indent_end = line.find_first_not_of(" \t");
    const std::size_t tab = line.find('\t');
    if (tab != std::string::npos && tab < indent_end) {
      return Location{state.file, number, static_cast<int>(tab) + 1};
    }
  }
  return std::nullopt;
}

std::vector<YAML::Node> parse_documents(const DocumentState& state, const std::string& text) {
  try {
    return YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    if (const auto tab = tab_in_indentation(state, text, e.mark.line + 1)) {
      throw ConfigError(*tab, "", "YAML syntax error: a tab in the indentation (YAML indents with spaces only)");
    }
    throw ConfigError(state.at(e.mark), "", "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(state.at(e.mark), "", "cannot parse YAML: " + e.msg);
  }
}

// Picks the one document of the file; an empty file or one of only comments has none.
std::optional<YAML::Node> the_root(const DocumentState& state, const std::vector<YAML::Node>& documents) {
  for (std::size_t i = 1; i < documents.size(); ++i) {
    if (!documents[i].IsNull()) {
      throw ConfigError(state.at(documents[i].Mark()), "",
                        "a second YAML document (after ---): hsops reads one document per file; "
                        "merge them or remove the ---");
    }
  }
  if (documents.empty() || documents.front().IsNull()) return std::nullopt;
  const YAML::Node& top = documents.front();
  if (!top.IsMap()) {
    throw ConfigError(state.at(top.Mark()), "",
                      "the top level must be a mapping of keys (e.g. 'state_dir: /var/lib/hsops'), got " +
                          detail::describe(top));
  }
  return top;
}

std::string read_config_file(const std::filesystem::path& file) {
  const std::string hint =
      ": create it (`hsops config example > " + file.string() +
      "` writes one with every default), or point --config or $HSOPS_CONFIG at another file";
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw ConfigError(Location{file.string(), 0, 0}, "", "cannot read config file: it is a directory" + hint);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int err = errno;
    throw ConfigError(Location{file.string(), 0, 0}, "",
                      "cannot read config file (" + std::string(std::strerror(err)) + ")" + hint);
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw ConfigError(Location{file.string(), 0, 0}, "", "cannot read config file (I/O error)" + hint);
  }
  return text.str();
}

}  // namespace

Document::Document(std::shared_ptr<detail::DocumentState> state) : state_(std::move(state)) {}

Document Document::load(const std::filesystem::path& file) {
  const std::string text = read_config_file(file);
  return parse(text, file.string());
}

Document Document::parse(std::string_view yaml_text, std::string file_name) {
  auto state = std::make_shared<DocumentState>();
  state->file = std::move(file_name);
  const std::vector<YAML::Node> documents = parse_documents(*state, std::string(yaml_text));
  state->root = the_root(*state, documents);
  if (state->root) check_mappings(*state, *state->root, "");
  return Document(std::move(state));
}

Document Document::empty() { return Document(std::make_shared<DocumentState>()); }

Section Document::root() const {
  if (state_->root) {
    return Section(state_, detail::present_node(*state_->root, state_->at(state_->root->Mark())), "");
  }
  return Section(state_, detail::absent_node(Location{state_->file, 0, 0}), "");
}

const std::string& Document::file() const { return state_->file; }

const std::vector<std::string>& Document::warnings() const { return state_->warnings; }

std::filesystem::path default_config_path() {
  const char* env = std::getenv("HSOPS_CONFIG");
  if (env != nullptr && *env != '\0') return env;
  return "/etc/hsops/hsops.yaml";
}

Document load_document(const std::string& explicit_path) {
  if (!explicit_path.empty()) return Document::load(explicit_path);
  const char* env = std::getenv("HSOPS_CONFIG");
  if (env != nullptr && *env != '\0') return Document::load(env);
  // No config at all is a supported setup: the local host's disks and clock with defaults.
  const std::filesystem::path fallback = default_config_path();
  std::error_code ec;
  if (std::filesystem::exists(fallback, ec)) return Document::load(fallback);
  return Document::empty();
}

}  // namespace hsops::config
