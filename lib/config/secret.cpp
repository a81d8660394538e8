// Secrets from the config: never inline, only `<key>_file` (first line of a file, which should
// be mode 0600) or `<key>_env` (an environment variable). No error text ever holds the value.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "config/config.h"
#include "config/document_state.h"

namespace hsops::config {
namespace {

using detail::Entry;
using detail::Reader;

// Relative paths are taken from the config file's directory, so a config and its secrets can
// move together and a daemon started from / still finds them.
std::filesystem::path resolve(const detail::DocumentState& doc, const std::string& path) {
  const std::filesystem::path given(path);
  if (given.is_absolute() || doc.file.empty()) return given;
  return std::filesystem::path(doc.file).parent_path() / given;
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

void warn_if_readable_by_others(const Reader& reader, const Entry& entry, const std::string& key,
                                const std::filesystem::path& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return;  // the read that follows reports the error
  if ((info.st_mode & (S_IRGRP | S_IROTH)) == 0) return;
  reader.doc().warn(reader.value_location(entry).to_string() + ": " + reader.key_path(key) + ": secret file " +
                    file.string() + " is readable by group or others (mode " + octal_mode(info.st_mode) +
                    "): run chmod 600 " + file.string());
}

std::string read_first_line(const Reader& reader, const Entry& entry, const std::string& key,
                            const std::filesystem::path& file) {
  const std::string what_to_do = ": create it with the secret on its first line and chmod 600 it";
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    reader.fail(entry, key, "cannot read secret file " + file.string() + " (it is a directory)" + what_to_do);
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int err = errno;
    reader.fail(entry, key, "cannot read secret file " + file.string() + " (" + std::strerror(err) + ")" + what_to_do);
  }
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.empty()) reader.fail(entry, key, "secret file " + file.string() + " is empty" + what_to_do);
  return line;
}

std::string secret_from_file(const Reader& reader, const std::string& key) {
  const Entry entry = *reader.find(key);
  const std::string path = *reader.scalar(key, "a file path");
  if (path.empty()) reader.fail(entry, key, "empty path: give the file that holds the secret");
  const std::filesystem::path file = resolve(reader.doc(), path);
  warn_if_readable_by_others(reader, entry, key, file);
  return read_first_line(reader, entry, key, file);
}

std::string secret_from_env(const Reader& reader, const std::string& key) {
  const Entry entry = *reader.find(key);
  const std::string name = *reader.scalar(key, "an environment variable name");
  if (name.empty()) reader.fail(entry, key, "empty variable name: give the environment variable that holds the secret");
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    reader.fail(entry, key, "environment variable " + name +
                                " is not set: set it for hsops (e.g. Environment= or EnvironmentFile= in the systemd unit)");
  }
  if (*value == '\0') {
    reader.fail(entry, key, "environment variable " + name + " is empty: set it to the secret");
  }
  return value;
}

}  // namespace

std::optional<std::string> Section::secret(std::string_view key) const {
  const Reader reader(*doc_, *static_cast<const detail::SectionNode*>(node_.get()), path_);
  const std::string name(key);
  const std::string file_key = name + "_file";
  const std::string env_key = name + "_env";
  if (const auto inline_entry = reader.find(key)) {
    reader.fail_at_key(*inline_entry, key,
                       "secrets are never written inline: use " + file_key + " or " + env_key);
  }
  const auto file_entry = reader.lookup(file_key);
  const auto env_entry = reader.lookup(env_key);
  if (file_entry && env_entry) {
    reader.fail_at_key(*env_entry, env_key, "set either " + file_key + " or " + env_key + ", not both");
  }
  if (file_entry) return secret_from_file(reader, file_key);
  if (env_entry) return secret_from_env(reader, env_key);
  return std::nullopt;
}

}  // namespace hsops::config
