#include "watchdog/check_loop.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "watchdog/schedule.h"

namespace hsops::watchdog {
namespace {

std::vector<ScheduledCheck> schedule_of(const std::vector<LoopCheck>& checks) {
  std::vector<ScheduledCheck> out;
  for (const auto& c : checks) out.push_back({c.name, c.interval});
  return out;
}

// Marks a check's run in progress until the check itself returns, even after run_check gave up
// at the backstop: a state-keeping check (disk, wal samples) must never run twice at once.
class InFlight final : public Check {
 public:
  InFlight(std::shared_ptr<Check> inner, std::shared_ptr<std::atomic<bool>> flag)
      : inner_(std::move(inner)), flag_(std::move(flag)) {}
  std::string name() const override { return inner_->name(); }
  CheckResult run() override {
    struct Clear {
      std::atomic<bool>& flag;
      ~Clear() { flag = false; }
    } clear{*flag_};
    return inner_->run();
  }

 private:
  std::shared_ptr<Check> inner_;
  std::shared_ptr<std::atomic<bool>> flag_;
};

CheckResult still_running(const LoopCheck& c) {
  CheckResult r;
  r.check = c.name;
  r.status = Status::unknown;
  r.summary = "the previous run has not returned yet (hung past its " + std::to_string(c.backstop.count()) +
              " ms backstop); not started again";
  return r;
}

}  // namespace

// Shared with the run threads, which may outlive the CheckLoop by up to one backstop.
struct CheckLoop::State {
  State(std::vector<LoopCheck> c, const Clock& clk, ResultSink sink, std::uint64_t seed, std::chrono::milliseconds first)
      : checks(std::move(c)), clock(clk), on_result(std::move(sink)),
        schedule(schedule_of(checks), clk.monotonic(), seed, first) {
    for (const auto& check : checks) in_flight.emplace(check.name, std::make_shared<std::atomic<bool>>(false));
  }

  std::vector<LoopCheck> checks;
  const Clock& clock;
  ResultSink on_result;
  std::mutex mutex;  // guards schedule, stopping; held while on_result runs so stop() fences it
  std::condition_variable wake;
  Schedule schedule;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight;  // set for the whole run
  bool stopping = false;
  std::thread loop;

  const LoopCheck* find(const std::string& name) const {
    for (const auto& c : checks) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }
};

void CheckLoop::run_one(const std::shared_ptr<State>& s, const LoopCheck& c) {
  const auto& flag = s->in_flight.at(c.name);
  const CheckResult result = flag->exchange(true) ? still_running(c)
                                                 : run_check(std::make_shared<InFlight>(c.check, flag), s->clock, c.backstop);
  std::lock_guard lock(s->mutex);
  if (s->stopping) return;
  s->on_result(result);
  s->schedule.finished(c.name, s->clock.monotonic());
  s->wake.notify_all();
}

void CheckLoop::loop_body(const std::shared_ptr<State>& s) {
  std::unique_lock lock(s->mutex);
  while (!s->stopping) {
    for (const auto& name : s->schedule.take_due(s->clock.monotonic())) {
      if (const LoopCheck* c = s->find(name)) {
        // Detached: a run that overran its backstop keeps only its own thread busy.
        std::thread([s, c] { run_one(s, *c); }).detach();
      }
    }
    const auto next = s->schedule.next_wakeup();
    // Real steady time for the wait: the loop is the daemon's, not a test's FakeClock.
    const auto wait = next ? std::chrono::duration_cast<std::chrono::milliseconds>(*next - s->clock.monotonic())
                           : std::chrono::milliseconds(1000);
    s->wake.wait_for(lock, std::max(wait, std::chrono::milliseconds(1)));
  }
}

CheckLoop::CheckLoop(std::vector<LoopCheck> checks, const Clock& clock, ResultSink on_result, std::uint64_t seed,
                     std::chrono::milliseconds max_first_delay)
    : state_(std::make_shared<State>(std::move(checks), clock, std::move(on_result), seed, max_first_delay)) {}

CheckLoop::~CheckLoop() { stop(); }

void CheckLoop::start() {
  std::lock_guard lock(state_->mutex);
  if (state_->loop.joinable() || state_->stopping) return;
  state_->loop = std::thread([s = state_] { loop_body(s); });
}

void CheckLoop::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->wake.notify_all();
  }
  if (state_->loop.joinable()) state_->loop.join();
}

void CheckLoop::run_now(const std::string& name) {
  std::lock_guard lock(state_->mutex);
  state_->schedule.run_now(name, state_->clock.monotonic());
  state_->wake.notify_all();
}

}  // namespace hsops::watchdog
