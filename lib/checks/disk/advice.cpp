#include "checks/disk/advice.h"

#include "core/units.h"

namespace hsops::checks::disk {

std::vector<std::string> advice_for(const FsReport& fs) {
  const std::string& p = fs.path;
  if (!fs.stats) {
    return {"advice: statfs on " + p + " did not answer (" + fs.error +
            "): a hung NFS/CIFS server or a failing device; look at `dmesg` and `findmnt " + p +
            "`; if the mount is expected to be dead, add it to checks.disk.mount_points_exclude"};
  }
  std::vector<std::string> lines;
  const bool inodes_worse = fs.has_inodes() && fs.inode_verdict.status != Status::ok &&
                            fs.inode_verdict.status != Status::unknown &&
                            (fs.space_verdict.status == Status::ok ||
                             fs.inodes_free_percent() < fs.avail_percent());
  if (inodes_worse) {
    lines.push_back("advice: " + p + " runs out of inodes (many small files), not bytes: find the directory with "
                    "`find " + p + " -xdev -type f | cut -d/ -f1-5 | sort | uniq -c | sort -n | tail` "
                    "(usual suspects: Synapse media thumbnails, stale session/cache files, mail queues)");
  } else {
    lines.push_back("advice: find what grew with `du -xh --max-depth=3 " + p + " | sort -h | tail -20`. "
                    "On a homeserver usually: Synapse media (media_store_path: set media_retention, purge remote "
                    "media with the admin API /_synapse/admin/v1/purge_media_cache); PostgreSQL WAL (pg_wal grows "
                    "when a replication slot is inactive or archiving fails: run `hsops check wal`, never delete "
                    "WAL files by hand); logs (`journalctl --vacuum-size=500M`, logrotate)");
  }
  if (fs.stats->root_reserved_bytes() > 0) {
    lines.push_back("advice: the root reserve of " + format_bytes(static_cast<double>(fs.stats->root_reserved_bytes())) +
                    " on " + p + " is headroom only root processes can use: Synapse and PostgreSQL run as non-root "
                    "and fail when avail reaches 0 even though `df` shows free blocks" +
                    (fs.fs_type.rfind("ext", 0) == 0
                         ? std::string("; in an emergency `tune2fs -m 1 ") + fs.source +
                               "` lends some of it (set it back afterwards)"
                         : std::string()));
  }
  return lines;
}

}  // namespace hsops::checks::disk
