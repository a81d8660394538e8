// statvfs() figures for one path, and a way to take them that a dead mount cannot block.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace hsops::checks::disk {

struct FsStats {
  std::uint64_t size_bytes = 0;     // f_blocks * f_frsize
  std::uint64_t free_bytes = 0;     // f_bfree * f_frsize (includes the root reserve)
  std::uint64_t avail_bytes = 0;    // f_bavail * f_frsize: what Synapse/PostgreSQL (non-root) can use
  std::uint64_t inodes_total = 0;   // f_files; 0 on filesystems without fixed inodes (btrfs)
  std::uint64_t inodes_free = 0;    // f_ffree
  std::uint64_t inodes_avail = 0;   // f_favail
  bool readonly = false;            // ST_RDONLY
  std::uint64_t root_reserved_bytes() const { return free_bytes > avail_bytes ? free_bytes - avail_bytes : 0; }
};

// Injectable so tests can simulate a hang or an error; the real one wraps statvfs(3).
using StatfsFn = std::function<Result<FsStats>(const std::string& path)>;
Result<FsStats> statfs_real(const std::string& path);

// Runs statfs for every path concurrently on detached worker threads and waits at most
// `deadline` in total. A path whose call has not returned gets Error{ErrorKind::timeout, ...}; its
// thread lives on blocked in the kernel and only touches state it shares ownership of.
//
// `pending` remembers calls still hung from earlier runs (the watchdog calls this every
// minute): such a path is not asked again until its call returns, so a dead NFS mount costs
// one thread, not one per run. Pass the same object on every run of one check.
class StatfsCalls;
std::vector<Result<FsStats>> statfs_all(const StatfsFn& fn, const std::vector<std::string>& paths,
                                         std::chrono::milliseconds deadline, StatfsCalls& pending);

class StatfsCalls {
 public:
  struct Call;  // shared between the waiting run and the worker thread
 private:
  friend std::vector<Result<FsStats>> statfs_all(const StatfsFn&, const std::vector<std::string>&,
                                                  std::chrono::milliseconds, StatfsCalls&);
  std::map<std::string, std::shared_ptr<Call>> hung_;
};

}  // namespace hsops::checks::disk
