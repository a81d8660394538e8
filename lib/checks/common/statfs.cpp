#include "checks/common/statfs.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace hsops::checks::disk {

struct StatfsCalls::Call {
  std::mutex mutex;
  std::condition_variable done_cv;
  std::optional<Result<FsStats>> result;  // set once by the worker
};

Result<FsStats> statfs_real(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    const int err = errno;
    return Error{ErrorKind::statfs, "statfs " + path + ": " + std::strerror(err)};
  }
  const std::uint64_t frsize = st.f_frsize ? st.f_frsize : st.f_bsize;
  FsStats s;
  s.size_bytes = static_cast<std::uint64_t>(st.f_blocks) * frsize;
  s.free_bytes = static_cast<std::uint64_t>(st.f_bfree) * frsize;
  s.avail_bytes = static_cast<std::uint64_t>(st.f_bavail) * frsize;
  s.inodes_total = st.f_files;
  s.inodes_free = st.f_ffree;
  s.inodes_avail = st.f_favail;
  s.readonly = (st.f_flag & ST_RDONLY) != 0;
  return s;
}

std::vector<Result<FsStats>> statfs_all(const StatfsFn& fn, const std::vector<std::string>& paths,
                                         std::chrono::milliseconds deadline, StatfsCalls& pending) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::vector<std::shared_ptr<StatfsCalls::Call>> calls;
  std::vector<bool> still_hung(paths.size(), false);
  for (std::size_t i = 0; i < paths.size(); ++i) {
    const auto& path = paths[i];
    if (auto it = pending.hung_.find(path); it != pending.hung_.end()) {
      std::lock_guard lock(it->second->mutex);
      if (!it->second->result) {
        still_hung[i] = true;  // do not pile another thread onto a dead mount
        calls.push_back(it->second);
        continue;
      }
      pending.hung_.erase(it);
    }
    auto call = std::make_shared<StatfsCalls::Call>();
    calls.push_back(call);
    // The worker owns copies of everything it uses, so it may outlive this run and the check.
    std::thread([call, fn, path] {
      Result<FsStats> r = Error{ErrorKind::internal, "statfs " + path + " threw"};
      try {
        r = fn(path);
      } catch (const std::exception& e) {
        r = Error{ErrorKind::internal, "statfs " + path + ": " + e.what()};
      } catch (...) {
      }
      std::lock_guard lock(call->mutex);
      call->result = std::move(r);
      call->done_cv.notify_all();
    }).detach();
  }

  std::vector<Result<FsStats>> results;
  results.reserve(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto& call = *calls[i];
    std::unique_lock lock(call.mutex);
    if (!still_hung[i]) call.done_cv.wait_until(lock, until, [&] { return call.result.has_value(); });
    if (call.result) {
      results.push_back(*call.result);
      continue;
    }
    pending.hung_[paths[i]] = calls[i];
    results.push_back(Error{ErrorKind::timeout, still_hung[i] ? "statfs timed out (still hung since an earlier run)"
                                                     : "statfs timed out"});
  }
  return results;
}

}  // namespace hsops::checks::disk
