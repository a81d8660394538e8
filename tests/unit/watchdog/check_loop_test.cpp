// The check loop with real threads and short intervals: a hung check delays no other check,
// never runs twice at once, and stop() returns promptly while it hangs.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "watchdog/check_loop.h"

using namespace std::chrono_literals;
using hsops::CheckResult;
using hsops::Status;
using hsops::watchdog::CheckLoop;

namespace {

class CountingCheck final : public hsops::Check {
 public:
  CountingCheck(std::string name, std::chrono::milliseconds takes) : name_(std::move(name)), takes_(takes) {}
  std::string name() const override { return name_; }
  CheckResult run() override {
    const int now_running = ++running_;
    int seen = max_running_.load();
    while (now_running > seen && !max_running_.compare_exchange_weak(seen, now_running)) {}
    std::this_thread::sleep_for(takes_);
    --running_;
    CheckResult r;
    r.check = name_;
    r.status = Status::ok;
    r.summary = "fine";
    return r;
  }
  int max_running() const { return max_running_; }

 private:
  std::string name_;
  std::chrono::milliseconds takes_;
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
};

struct Results {
  std::mutex mutex;
  std::map<std::string, std::vector<CheckResult>> by_check;
  void add(const CheckResult& r) {
    std::lock_guard lock(mutex);
    by_check[r.check].push_back(r);
  }
  std::size_t count(const std::string& check) {
    std::lock_guard lock(mutex);
    return by_check[check].size();
  }
};

}  // namespace

TEST_CASE("check loop: a hung check delays neither another check nor stop()") {
  const hsops::SystemClock clock;
  auto fast = std::make_shared<CountingCheck>("fast", 1ms);
  auto hung = std::make_shared<CountingCheck>("hung", 3s);
  Results results;
  auto loop = std::make_unique<CheckLoop>(
      std::vector<hsops::watchdog::LoopCheck>{{"fast", fast, 50ms, 1s}, {"hung", hung, 50ms, 300ms}}, clock,
      [&](const CheckResult& r) { results.add(r); }, 0, 0ms);
  loop->start();
  std::this_thread::sleep_for(1000ms);
  // fast: about one run per 50 ms. hung: its one run cut at the 300 ms backstop, then at each
  // interval an UNKNOWN "not returned yet" instead of a second run beside the hung one.
  CHECK(results.count("fast") >= 10);
  CHECK(results.count("hung") >= 2);
  {
    std::lock_guard lock(results.mutex);
    const auto& hung_results = results.by_check["hung"];
    for (const auto& r : hung_results) CHECK(r.status == Status::unknown);
    REQUIRE(hung_results.size() >= 2);
    CHECK(hung_results[0].summary.find("did not finish within 300 ms") != std::string::npos);
    for (std::size_t i = 1; i < hung_results.size(); ++i) {
      CHECK(hung_results[i].summary.find("previous run has not returned") != std::string::npos);
    }
  }
  CHECK(fast->max_running() == 1);
  CHECK(hung->max_running() == 1);  // cut at the backstop, but not started again while it hangs
  const auto before_stop = std::chrono::steady_clock::now();
  loop->stop();
  CHECK(std::chrono::steady_clock::now() - before_stop < 200ms);
  const auto after = results.count("fast");
  std::this_thread::sleep_for(200ms);
  CHECK(results.count("fast") == after);  // nothing delivered after stop()
  loop.reset();
}

TEST_CASE("check loop: run_now runs a check long before its interval") {
  const hsops::SystemClock clock;
  auto slow_interval = std::make_shared<CountingCheck>("clock", 1ms);
  Results results;
  CheckLoop loop({{"clock", slow_interval, 1h, 1s}}, clock, [&](const CheckResult& r) { results.add(r); }, 0, 0ms);
  loop.start();
  for (int i = 0; i < 100 && results.count("clock") < 1; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(results.count("clock") == 1);  // the first run, at start
  loop.run_now("clock");
  for (int i = 0; i < 100 && results.count("clock") < 2; ++i) std::this_thread::sleep_for(10ms);
  CHECK(results.count("clock") == 2);
  loop.stop();
}
