#include "checks/disk/mounts.h"

#include <fstream>
#include <set>
#include <sstream>

namespace hsops::checks::disk {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
      if (is_octal(field[i + 1]) && is_octal(field[i + 2]) && is_octal(field[i + 3])) {
        out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

bool has_option(const std::string& options, std::string_view wanted) {
  std::istringstream in(options);
  std::string option;
  while (std::getline(in, option, ',')) {
    if (option == wanted) return true;
  }
  return false;
}

// "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
bool parse_line(const std::string& line, MountEntry& entry) {
  std::istringstream in(line);
  std::string mount_id, parent_id, device_id, root, mountpoint, options, field;
  if (!(in >> mount_id >> parent_id >> device_id >> root >> mountpoint >> options)) return false;
  // Zero or more optional fields, then "-".
  bool separator = false;
  while (in >> field) {
    if (field == "-") {
      separator = true;
      break;
    }
  }
  std::string fs_type, source, super_options;
  if (!separator || !(in >> fs_type >> source)) return false;
  in >> super_options;
  entry.device_id = device_id;
  entry.root = unescape(root);
  entry.mountpoint = unescape(mountpoint);
  entry.fs_type = fs_type;
  entry.source = unescape(source);
  // Per-mount options say whether this mount is read-only; the superblock's "ro" too.
  entry.readonly = has_option(options, "ro") || has_option(super_options, "ro");
  return true;
}

bool matches_any(const std::string& value, const std::vector<std::regex>& patterns) {
  for (const auto& re : patterns) {
    if (std::regex_search(value, re)) return true;
  }
  return false;
}

bool is_path_prefix(const std::string& prefix, const std::string& path) {
  if (prefix == "/") return !path.empty() && path.front() == '/';
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> entries;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    MountEntry entry;
    if (parse_line(line, entry)) entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<MountEntry>> read_mountinfo(const std::filesystem::path& proc_root) {
  const auto file = proc_root / "self" / "mountinfo";
  std::ifstream in(file);
  if (!in) return Error{ErrorKind::io, "cannot read " + file.string() + " (is /proc mounted?)"};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_mountinfo(text.str());
}

std::vector<MountEntry> select_mounts(const std::vector<MountEntry>& all, const MountFilter& filter) {
  std::vector<bool> keep(all.size(), false);
  std::set<std::string> seen_devices;
  // Prefer the mount of the filesystem's root over a bind mount of a subdirectory, whatever
  // the order, so two passes: roots first, then the rest. (Like node_exporter, the patterns
  // are searched, so an operator's unanchored pattern matches anywhere.)
  for (const bool want_root : {true, false}) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& entry = all[i];
      if ((entry.root == "/") != want_root) continue;
      if (matches_any(entry.fs_type, filter.fs_types_exclude)) continue;
      if (matches_any(entry.mountpoint, filter.mount_points_exclude)) continue;
      if (!seen_devices.insert(entry.device_id).second) continue;
      keep[i] = true;
    }
  }
  // In mountinfo order, which is what an operator reading `findmnt` expects.
  std::vector<MountEntry> kept;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (keep[i]) kept.push_back(all[i]);
  }
  return kept;
}

const MountEntry* mount_for_path(const std::vector<MountEntry>& all, const std::string& path) {
  const MountEntry* best = nullptr;
  for (const auto& entry : all) {
    // Later entries over-mount earlier ones at the same place, so >= keeps the last.
    if (is_path_prefix(entry.mountpoint, path) && (!best || entry.mountpoint.size() >= best->mountpoint.size())) {
      best = &entry;
    }
  }
  return best;
}

}  // namespace hsops::checks::disk
