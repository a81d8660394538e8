// The watchdog's check loop: runs each configured check on its Schedule until stopped, each run
// on its own thread through run_check (whose backstop ends the wait for a hung check), so a
// slow, hung or crashing check never delays another check, the loop, or whoever reads results.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/check.h"
#include "core/clock.h"

namespace hsops::watchdog {

struct LoopCheck {
  std::string name;
  std::shared_ptr<Check> check;
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds backstop{30'000};  // the runner's limit for one run
};

class CheckLoop {
 public:
  // Called from the run's thread with each result, never after stop() has returned.
  using ResultSink = std::function<void(const CheckResult&)>;

  CheckLoop(std::vector<LoopCheck> checks, const Clock& clock, ResultSink on_result, std::uint64_t seed = 0,
            std::chrono::milliseconds max_first_delay = std::chrono::seconds(10));
  ~CheckLoop();  // stop()
  CheckLoop(const CheckLoop&) = delete;
  CheckLoop& operator=(const CheckLoop&) = delete;

  void start();
  // Returns promptly: runs still in progress finish on their own threads, their results dropped.
  void stop();
  // Runs `name` as soon as it is not running (a host pause makes the clock check run at once).
  void run_now(const std::string& name);

 private:
  struct State;  // shared with the run threads, which may outlive the loop by one backstop
  static void loop_body(const std::shared_ptr<State>& s);
  static void run_one(const std::shared_ptr<State>& s, const LoopCheck& c);
  std::shared_ptr<State> state_;
};

}  // namespace hsops::watchdog
