// The failover run lock: a second taker is refused (busy, naming the holder), the lock comes
// free when its holder goes away, whether by destruction or by SIGKILL.
#include "failover/run_lock.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "support/temp_dir.h"

using hsops::ErrorKind;
using hsops::failover::RunLock;

namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A forked child holding the lock until killed; SIGKILLed and reaped on every path.
class LockHoldingChild {
 public:
  LockHoldingChild(const std::filesystem::path& file, const std::string& operation) {
    pid_ = ::fork();
    if (pid_ == 0) {
      auto lock = RunLock::take(file, operation);
      if (!lock) ::_exit(1);
      for (;;) ::pause();
    }
  }
  ~LockHoldingChild() { kill_and_reap(); }
  LockHoldingChild(const LockHoldingChild&) = delete;
  LockHoldingChild& operator=(const LockHoldingChild&) = delete;

  pid_t pid() const { return pid_; }
  // SIGKILL: no destructor runs in the child, only the kernel can drop its lock.
  std::optional<int> kill_and_reap() {
    if (pid_ <= 0) return std::nullopt;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

bool wait_for_text(const std::filesystem::path& file, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_text(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("run lock: the holder is recorded in the lock file", "[failover][run_lock]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "state" / "failover.lock";  // directory created on take
  const auto lock = RunLock::take(file, "switchover");
  REQUIRE(lock);
  const std::string text = read_text(file);
  CHECK(text.rfind("pid " + std::to_string(::getpid()) + " switchover ", 0) == 0);
  CHECK(text.back() == '\n');
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("run lock: a second take is busy naming the holder until the first is gone", "[failover][run_lock]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "failover.lock";
  std::optional<hsops::Result<RunLock>> first(RunLock::take(file, "drill"));
  REQUIRE(*first);

  // flock locks belong to the open file description: a second open in this process conflicts.
  const auto second = RunLock::take(file, "switchover");
  REQUIRE_FALSE(second);
  CHECK(second.error().kind == ErrorKind::busy);
  const std::string& message = second.error().message;
  CHECK(message.rfind("another failover run holds " + file.string() + " (pid " + std::to_string(::getpid()) +
                          ", drill since ",
                      0) == 0);
  CHECK(message.size() > 5);
  CHECK(message.substr(message.size() - 5) == " UTC)");
  // The refused run must not overwrite the holder's record.
  CHECK(read_text(file).find(" drill ") != std::string::npos);

  first.reset();
  const auto third = RunLock::take(file, "switchover");
  REQUIRE(third);
  CHECK(read_text(file).find(" switchover ") != std::string::npos);
}

TEST_CASE("run lock: a moved lock still holds and releases once", "[failover][run_lock]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "failover.lock";
  {
    auto taken = RunLock::take(file, "promote");
    REQUIRE(taken);
    const RunLock moved(std::move(taken).value());
    CHECK_FALSE(RunLock::take(file, "drill"));
  }
  CHECK(RunLock::take(file, "drill"));
}

TEST_CASE("run lock: the holder's time is shown in UTC", "[failover][run_lock]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "failover.lock";
  const auto lock = RunLock::take(file, "drill");
  REQUIRE(lock);
  // Rewrite the record as a holder from a known moment would have.
  { std::ofstream(file, std::ios::trunc) << "pid 4242 promote 1796501700\n"; }
  const auto second = RunLock::take(file, "drill");
  REQUIRE_FALSE(second);
  CHECK(second.error().message ==
        "another failover run holds " + file.string() + " (pid 4242, promote since 2026-12-05 20:15:00 UTC)");
}

TEST_CASE("run lock: a holder killed with SIGKILL leaves no stale lock", "[failover][run_lock]") {
  hsops::test::TempDir dir;
  const auto file = dir.path() / "failover.lock";
  LockHoldingChild child(file, "switchover");
  REQUIRE(child.pid() > 0);
  REQUIRE(wait_for_text(file, "pid " + std::to_string(child.pid()) + " switchover "));

  const auto refused = RunLock::take(file, "drill");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::busy);
  CHECK(refused.error().message.find("(pid " + std::to_string(child.pid()) + ", switchover since ") !=
        std::string::npos);

  const auto status = child.kill_and_reap();
  REQUIRE(status);
  CHECK(WIFSIGNALED(*status));
  CHECK(WTERMSIG(*status) == SIGKILL);
  const auto taken = RunLock::take(file, "drill");
  REQUIRE(taken);
}
