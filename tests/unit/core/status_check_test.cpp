#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>

#include "core/check.h"

using namespace hsops;

TEST_CASE("worst status orders CRITICAL > WARNING > UNKNOWN > OK", "[core][status]") {
  CHECK(worst(Status::ok, Status::unknown) == Status::unknown);
  CHECK(worst(Status::unknown, Status::warning) == Status::warning);
  CHECK(worst(Status::critical, Status::warning) == Status::critical);
  CHECK(worst(Status::ok, Status::ok) == Status::ok);
  CHECK(exit_code(Status::critical) == 2);
  CHECK(to_string(Status::unknown) == "UNKNOWN");
}

namespace {
class ThrowingCheck : public Check {
 public:
  std::string name() const override { return "throwing"; }
  CheckResult run() override { throw std::runtime_error("boom"); }
};
class SlowCheck : public Check {
 public:
  std::string name() const override { return "slow"; }
  CheckResult run() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CheckResult r;
    r.status = Status::ok;
    return r;
  }
};
}  // namespace

TEST_CASE("a stray exception in a check becomes UNKNOWN with the message", "[core][check]") {
  SystemClock clock;
  auto result = run_check(std::make_shared<ThrowingCheck>(), clock, std::chrono::seconds(5));
  CHECK(result.status == Status::unknown);
  CHECK(result.check == "throwing");
  CHECK(result.summary.find("boom") != std::string::npos);
}

TEST_CASE("a check that overruns the backstop is UNKNOWN / not a hang", "[core][check]") {
  SystemClock clock;
  const auto started = std::chrono::steady_clock::now();
  auto result = run_check(std::make_shared<SlowCheck>(), clock, std::chrono::milliseconds(50));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(400));
  CHECK(result.status == Status::unknown);
  CHECK(result.summary.find("did not finish") != std::string::npos);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // let the worker end cleanly
}

TEST_CASE("measurement thresholds: critical wins over warning", "[core][check]") {
  Measurement m;
  m.value = 15;
  m.warning = Range::parse("10").value();
  m.critical = Range::parse("20").value();
  CHECK(evaluate(m) == Status::warning);
  m.value = 25;
  CHECK(evaluate(m) == Status::critical);
  m.value = 5;
  CHECK(evaluate(m) == Status::ok);
}
