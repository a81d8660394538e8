#include "checks/disk/config.h"

#include <algorithm>
#include <regex>

#include "checks/common/fit_options.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(# Paths to check. Default: every real mounted filesystem, picked as node_exporter does
# (from /proc/self/mountinfo, minus pseudo filesystems and bind-mount duplicates).
# paths: [/, /var/lib/postgresql, /var/lib/matrix-synapse/media_store]
# Used only without `paths`; each list replaces node_exporter's default patterns (regexes).
# mount_points_exclude: ['^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)']
# fs_types_exclude: ['^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$']
# Time allowed for all statfs calls of one run; a hung (NFS) mount is reported as a device
# error instead of hanging the check. -t caps it.
# statfs_timeout: 5s
# Samples for time-until-full. Default: <state_dir>/disk-samples.json.
# state_file: /var/lib/hsops/disk-samples.json
# Least-squares fit over samples this recent (like predict_linear(avail[6h])) ...
# fit_window: 6h
# ... keeping at most this many per path (stored at least fit_window/max_samples apart).
# max_samples: 256
# No prediction until there are this many samples spanning at least min_span.
# min_samples: 3
# min_span: 30m
# Forget the samples of a path not seen for this long.
# forget_after: 7d
# Space thresholds on avail % (space usable by non-root); defaults are the node-mixin's.
# WARNING when avail % is below warn_free_percent AND the disk is full within warn_within;
# CRITICAL when below crit_free_percent AND full within crit_within.
# warn_free_percent: 40
# warn_within: 24h
# crit_free_percent: 20
# crit_within: 4h
# Floors regardless of trend (-w/-c in Nagios range syntax override them, e.g. -w 10: -c 5:).
# warn_floor_percent: 5
# crit_floor_percent: 3
# The same six keys for free inodes, with the same defaults.
# inodes:
#   warn_free_percent: 40
#   warn_within: 24h
#   crit_free_percent: 20
#   crit_within: 4h
#   warn_floor_percent: 5
#   crit_floor_percent: 3
)";

constexpr std::string_view kThresholdHelp =
    "Applies to each filesystem's avail % (space usable by non-root), replacing "
    "warn_floor_percent/crit_floor_percent, e.g. -w 10: -c 5: (alert below 10 % / 5 %). "
    "The time-until-full rules and inode thresholds stay as configured.";

disk::Thresholds read_thresholds(const config::Section& s) {
  disk::Thresholds t;
  t.warn_free_percent = s.percent("warn_free_percent", t.warn_free_percent);
  t.warn_within = positive_seconds(s, "warn_within", t.warn_within);
  t.crit_free_percent = s.percent("crit_free_percent", t.crit_free_percent);
  t.crit_within = positive_seconds(s, "crit_within", t.crit_within);
  t.warn_floor = disk::floor_range(s.percent("warn_floor_percent", 5));
  t.crit_floor = disk::floor_range(s.percent("crit_floor_percent", 3));
  return t;
}

std::vector<std::regex> patterns(const config::Section& s, std::string_view key, std::string_view fallback) {
  std::vector<std::regex> out;
  for (const auto& text : s.strings(key, {std::string(fallback)})) {
    try {
      out.emplace_back(text);
    } catch (const std::regex_error& e) {
      s.fail(key, "'" + text + "' is not a valid regular expression: " + e.what());
    }
  }
  return out;
}

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  auto options = read_disk_options(section, services);
  return disk::make_disk_check(std::move(options), disk::Deps{services.clock, services.proc_root, disk::statfs_real});
}

void validate(const config::Section& section, const Services& services) { (void)read_disk_options(section, services); }

}  // namespace

disk::Options read_disk_options(const config::Section& s, const Services& services) {
  disk::Options o;
  o.paths = s.strings("paths", {});
  for (const auto& p : o.paths) {
    if (p.empty() || p.front() != '/') s.fail("paths", "'" + p + "' is not an absolute path");
  }
  o.filter.mount_points_exclude = patterns(s, "mount_points_exclude", disk::kDefaultMountPointsExclude);
  o.filter.fs_types_exclude = patterns(s, "fs_types_exclude", disk::kDefaultFsTypesExclude);
  o.statfs_timeout = s.positive_duration("statfs_timeout", Millis(5000));
  if (services.timeout) o.statfs_timeout = std::min(o.statfs_timeout, *services.timeout);
  read_fit_options_into(o, s, (services.global.state_dir / "disk-samples.json").string(), true);
  o.space = read_thresholds(s);
  o.inodes = read_thresholds(s.child("inodes"));
  s.child("inodes").reject_unknown_keys();
  s.reject_unknown_keys();
  o.space.warn_floor = cli_range(services.warning, "-w", Figure::number).value_or(o.space.warn_floor);
  o.space.crit_floor = cli_range(services.critical, "-c", Figure::number).value_or(o.space.crit_floor);
  return o;
}

CheckInfo disk_check_info() {
  return CheckInfo{"disk",
                   "space and inodes left for non-root users per filesystem, with time until full",
                   kThresholdHelp, true, kExample, &make, &validate};
}

}  // namespace hsops::checks
