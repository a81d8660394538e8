#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "checks/runner.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

class FixedCheck : public Check {
 public:
  FixedCheck(std::string name, Status status) : name_(std::move(name)), status_(status) {}
  std::string name() const override { return name_; }
  CheckResult run() override {
    CheckResult r;
    r.status = status_;
    r.summary = name_ + " decided";
    return r;
  }

 private:
  std::string name_;
  Status status_;
};

class ThrowingCheck : public Check {
 public:
  std::string name() const override { return "throwing"; }
  CheckResult run() override { throw std::runtime_error("boom"); }
};

// Blocks until released: a call without its own deadline. Released at the end of the test so
// the worker thread the runner left behind ends cleanly.
struct Gate {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void release() {
    { std::lock_guard<std::mutex> lock(m); open = true; }
    cv.notify_all();
  }
};
class HungCheck : public Check {
 public:
  explicit HungCheck(std::shared_ptr<Gate> gate) : gate_(std::move(gate)) {}
  std::string name() const override { return "hung"; }
  CheckResult run() override {
    std::unique_lock<std::mutex> lock(gate_->m);
    gate_->cv.wait(lock, [this] { return gate_->open; });
    CheckResult r;
    r.status = Status::ok;
    return r;
  }

 private:
  std::shared_ptr<Gate> gate_;
};

}  // namespace

TEST_CASE("run_all keeps the checks' order and folds the worst status", "[checks][runner]") {
  SystemClock clock;
  const auto run = checks::run_all({std::make_shared<FixedCheck>("disk", Status::ok),
                                    std::make_shared<FixedCheck>("clock", Status::warning),
                                    std::make_shared<FixedCheck>("wal", Status::unknown)},
                                   clock, 5s);
  REQUIRE(run.results.size() == 3);
  CHECK(run.results[0].check == "disk");
  CHECK(run.results[1].check == "clock");
  CHECK(run.results[2].check == "wal");
  CHECK(run.overall == Status::warning);  // WARNING outranks UNKNOWN
}

TEST_CASE("run_all: CRITICAL wins, and no checks is OK", "[checks][runner]") {
  SystemClock clock;
  CHECK(checks::run_all({std::make_shared<FixedCheck>("a", Status::warning),
                         std::make_shared<FixedCheck>("b", Status::critical)},
                        clock, 5s)
            .overall == Status::critical);
  const auto none = checks::run_all({}, clock, 5s);
  CHECK(none.results.empty());
  CHECK(none.overall == Status::ok);
}

TEST_CASE("run_all: a check that throws becomes UNKNOWN, the others still report", "[checks][runner]") {
  SystemClock clock;
  const auto run = checks::run_all({std::make_shared<ThrowingCheck>(), std::make_shared<FixedCheck>("disk", Status::ok)},
                                   clock, 5s);
  REQUIRE(run.results.size() == 2);
  CHECK(run.results[0].status == Status::unknown);
  CHECK(run.results[0].check == "throwing");
  CHECK(run.results[0].summary.find("boom") != std::string::npos);
  CHECK(run.results[1].status == Status::ok);
  CHECK(run.overall == Status::unknown);
}

TEST_CASE("run_all: a hung check is cut at the backstop, in parallel with the rest", "[checks][runner]") {
  SystemClock clock;
  auto gate = std::make_shared<Gate>();
  const auto started = std::chrono::steady_clock::now();
  const auto run = checks::run_all({std::make_shared<HungCheck>(gate), std::make_shared<HungCheck>(gate),
                                    std::make_shared<FixedCheck>("disk", Status::critical)},
                                   clock, 100ms);
  const auto took = std::chrono::steady_clock::now() - started;
  gate->release();
  CHECK(took < 1s);  // two hung checks cost one backstop, not two, and not forever
  REQUIRE(run.results.size() == 3);
  CHECK(run.results[0].status == Status::unknown);
  CHECK(run.results[0].summary.find("did not finish within 100 ms") != std::string::npos);
  CHECK(run.results[1].status == Status::unknown);
  CHECK(run.results[2].status == Status::critical);
  CHECK(run.overall == Status::critical);
}
