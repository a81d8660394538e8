// The failover run lock: an exclusive, non-blocking flock on a lock file that records who holds
// it ("pid <pid> <operation> <unix seconds>"), so a refused run can say which run is in the way.
#include "failover/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

namespace hsops::failover {
namespace {

Error io_error(const std::filesystem::path& file, std::string_view what, int err) {
  return Error{ErrorKind::io, file.string() + ": " + std::string(what) + ": " + std::strerror(err)};
}

// Closes the descriptor unless released: every error path of take() must drop the lock file.
class FdGuard {
 public:
  explicit FdGuard(int fd) : fd_(fd) {}
  ~FdGuard() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdGuard(const FdGuard&) = delete;
  FdGuard& operator=(const FdGuard&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string utc_time(std::time_t seconds) {
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr) return "an unknown time";
  std::array<char, 32> text{};
  const std::size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string(text.data(), n);
}

// What the holder wrote. It may be empty or half written: the holder truncates and writes only
// after it has the lock, so a refused run can look in between.
std::string describe_holder(int fd) {
  std::array<char, 512> buffer{};
  ssize_t n = 0;
  do {
    n = ::pread(fd, buffer.data(), buffer.size() - 1, 0);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return "holder not recorded yet";
  std::istringstream in(std::string(buffer.data(), static_cast<std::size_t>(n)));
  std::string word;
  long long pid = 0;
  std::string operation;
  long long since = 0;
  if (!(in >> word >> pid >> operation >> since) || word != "pid") return "holder not recorded yet";
  return "pid " + std::to_string(pid) + ", " + operation + " since " + utc_time(static_cast<std::time_t>(since));
}

Result<bool> record_holder(const std::filesystem::path& file, int fd, const std::string& operation) {
  const std::string line = "pid " + std::to_string(::getpid()) + " " + operation + " " +
                           std::to_string(static_cast<long long>(std::time(nullptr))) + "\n";
  if (::ftruncate(fd, 0) != 0) return io_error(file, "truncate", errno);
  std::string_view rest = line;
  off_t offset = 0;
  while (!rest.empty()) {
    const ssize_t n = ::pwrite(fd, rest.data(), rest.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error(file, "write", errno);
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
    offset += n;
  }
  return true;
}

}  // namespace

Result<RunLock> RunLock::take(const std::filesystem::path& file, const std::string& operation) {
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) {
      return Error{ErrorKind::io,
                   file.string() + ": create directory " + file.parent_path().string() + ": " + ec.message()};
    }
  }
  FdGuard fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return io_error(file, "open", errno);

  int rc = 0;
  do {
    rc = ::flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno != EWOULDBLOCK) return io_error(file, "flock", errno);
    return Error{ErrorKind::busy,
                 "another failover run holds " + file.string() + " (" + describe_holder(fd.get()) + ")"};
  }
  if (auto recorded = record_holder(file, fd.get(), operation); !recorded) return recorded.error();
  return RunLock(fd.release());
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

RunLock::~RunLock() {
  // Closing the only descriptor of this open file description releases the flock.
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace hsops::failover
