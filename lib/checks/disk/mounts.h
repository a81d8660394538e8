// Which filesystems the disk check looks at: /proc/self/mountinfo, filtered the way
// node_exporter's filesystem collector does (ops-conventions 1.1), minus bind-mount duplicates.
#pragma once

#include <filesystem>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hsops::checks::disk {

struct MountEntry {
  std::string device_id;   // "major:minor": the same filesystem mounted twice shares it
  std::string root;        // path inside the filesystem that is mounted ("/" unless a bind mount)
  std::string mountpoint;  // unescaped ("\040" -> space)
  std::string fs_type;
  std::string source;      // e.g. "/dev/sda2"
  bool readonly = false;   // per-mount "ro" option
};

// Parses mountinfo text (proc(5)); malformed lines are skipped, not fatal.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

// Reads <proc_root>/self/mountinfo.
Result<std::vector<MountEntry>> read_mountinfo(const std::filesystem::path& proc_root);

// node_exporter's default exclusions, as ECMAScript regexes (searched, so anchor them).
inline constexpr std::string_view kDefaultMountPointsExclude =
    "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
inline constexpr std::string_view kDefaultFsTypesExclude =
    "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|"
    "mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|"
    "tracefs)$";

// A mount is skipped when any pattern of a list matches.
struct MountFilter {
  std::vector<std::regex> mount_points_exclude{std::regex(std::string(kDefaultMountPointsExclude))};
  std::vector<std::regex> fs_types_exclude{std::regex(std::string(kDefaultFsTypesExclude))};
};

// The real filesystems to check, in mountinfo order: excluded types and mount points dropped,
// and of several mounts of one device only the first that mounts its root is kept (a bind
// mount of a subdirectory would report the same bytes twice).
std::vector<MountEntry> select_mounts(const std::vector<MountEntry>& all, const MountFilter& filter);

// The mount a path lives on: the entry with the longest mountpoint that is a prefix of it
// (component-wise). Used for configured paths, to name their fs type and ro flag.
const MountEntry* mount_for_path(const std::vector<MountEntry>& all, const std::string& path);

}  // namespace hsops::checks::disk
