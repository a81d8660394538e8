// One failover run at a time per playbook: an exclusive flock on a lock file. The kernel
// drops the lock when the process dies (kill -9 included), so a crashed run never leaves a
// stale lock; the file keeps the holder's pid and operation to say who holds it.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"

namespace hsops::failover {

class RunLock {
 public:
  // Takes the lock without waiting. When another process holds it: ErrorKind::busy with
  // "another failover run holds <file> (pid 1234, drill since 2026-12-05 20:15:00 UTC)".
  static Result<RunLock> take(const std::filesystem::path& file, const std::string& operation);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();  // releases

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace hsops::failover
