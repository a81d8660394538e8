// When each check runs next in the watchdog: every check on its own interval, spread by a
// jitter so a dozen checks do not start in the same second, and never two runs of one check
// at once. Pure bookkeeping on the monotonic clock: the loop that starts runs is elsewhere.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hsops::watchdog {

using Monotonic = std::chrono::steady_clock::time_point;

struct ScheduledCheck {
  std::string name;
  std::chrono::milliseconds interval{60'000};
};

class Schedule {
 public:
  // Each check's first run falls at a fixed offset in [0, min(interval, max_first_delay)),
  // derived from its name and `seed`, so restarts spread the same way and tests can predict it.
  Schedule(const std::vector<ScheduledCheck>& checks, Monotonic start, std::uint64_t seed = 0,
           std::chrono::milliseconds max_first_delay = std::chrono::seconds(10));

  // The checks due at `now` that are not running; they are marked running until finished().
  std::vector<std::string> take_due(Monotonic now);

  // A run ended. The next run is one interval after this run was due, plus a jitter of up to
  // 5 % of the interval; a run that overran its interval is followed at once, without a burst
  // of catch-up runs.
  void finished(const std::string& name, Monotonic now);

  // Runs `name` at the next take_due (a host pause makes the clock check run at once). An
  // unknown name or a running check is left alone; returns whether it was moved.
  bool run_now(const std::string& name, Monotonic now);

  // When the loop must look again: the earliest due time of a check not running; nullopt when
  // every check is running (the loop waits for a finished()).
  std::optional<Monotonic> next_wakeup() const;

  bool running(const std::string& name) const;
  std::optional<Monotonic> due_at(const std::string& name) const;

 private:
  struct Entry {
    std::chrono::milliseconds interval;
    Monotonic due;
    bool running = false;
    std::uint64_t jitter_state;
  };
  std::chrono::milliseconds next_jitter(Entry& e);
  std::map<std::string, Entry> entries_;
};

}  // namespace hsops::watchdog
