#include <catch2/catch.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "checks/common/statfs.h"

using namespace hsops::checks::disk;
using namespace std::chrono_literals;

namespace {

// A statfs that blocks on one path until released, like a hard NFS mount whose server died.
// Shared state, since the blocked worker thread outlives the test's stack frame.
struct Hang {
  std::mutex mutex;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> calls{0};
  void release() {
    std::lock_guard lock(mutex);
    released = true;
    cv.notify_all();
  }
};

StatfsFn fake_with_hang(std::shared_ptr<Hang> hang) {
  return [hang](const std::string& path) -> hsops::Result<FsStats> {
    if (path == "/mnt/nfs") {
      ++hang->calls;
      std::unique_lock lock(hang->mutex);
      hang->cv.wait(lock, [&] { return hang->released; });
    }
    if (path == "/broken") return hsops::Error{hsops::ErrorKind::statfs, "statfs /broken: Input/output error"};
    FsStats s;
    s.size_bytes = 1000;
    s.avail_bytes = path == "/" ? 500 : 900;
    return s;
  };
}

}  // namespace

TEST_CASE("disk statfs: a hung mount times out without blocking the others", "[disk][statfs]") {
  auto hang = std::make_shared<Hang>();
  StatfsCalls pending;
  const std::vector<std::string> paths{"/", "/mnt/nfs", "/broken", "/var"};
  const auto started = std::chrono::steady_clock::now();
  const auto results = statfs_all(fake_with_hang(hang), paths, 200ms, pending);
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= 190ms);
  CHECK(took < 1500ms);
  REQUIRE(results.size() == 4);
  REQUIRE(results[0].ok());
  CHECK(results[0]->avail_bytes == 500);
  REQUIRE_FALSE(results[1].ok());
  CHECK(results[1].error().kind == hsops::ErrorKind::timeout);
  CHECK(results[1].error().message == "statfs timed out");
  CHECK(results[2].error().message.find("Input/output error") != std::string::npos);
  CHECK(results[3]->avail_bytes == 900);

  // Next run: the dead mount is not asked again while its first call still hangs, and the
  // run does not wait for it at all.
  const auto again_started = std::chrono::steady_clock::now();
  const auto again = statfs_all(fake_with_hang(hang), paths, 200ms, pending);
  CHECK(std::chrono::steady_clock::now() - again_started < 150ms);
  CHECK(hang->calls == 1);
  CHECK(again[1].error().message.find("still hung") != std::string::npos);

  // The server comes back: the old call returns, and the next run asks afresh.
  hang->release();
  std::this_thread::sleep_for(50ms);
  const auto healed = statfs_all(fake_with_hang(hang), paths, 1000ms, pending);
  CHECK(healed[1].ok());
  CHECK(hang->calls == 2);
}

TEST_CASE("disk statfs: the real statvfs reads a real filesystem", "[disk][statfs]") {
  const auto r = statfs_real("/");
  REQUIRE(r.ok());
  CHECK(r->size_bytes > 0);
  CHECK(r->avail_bytes <= r->free_bytes);
  CHECK(r->free_bytes <= r->size_bytes);
  const auto missing = statfs_real("/no/such/path/hsops");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("No such file") != std::string::npos);
}
