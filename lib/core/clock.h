// The clock abstraction: checks take time from here so tests can move it.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

namespace hsops {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (CLOCK_REALTIME): for timestamps in state files and reports.
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time (CLOCK_MONOTONIC): for deadlines and measured durations.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
  virtual void sleep_for(std::chrono::nanoseconds duration) const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  void sleep_for(std::chrono::nanoseconds duration) const override;
};

// A clock that only moves when told to: sleep_for advances both clocks instantly.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point{
                         std::chrono::seconds{1'700'000'000}});
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  void sleep_for(std::chrono::nanoseconds duration) const override;
  void advance(std::chrono::nanoseconds duration);
  // Steps the wall clock only, as a VM resume or `date -s` does.
  void step_wall(std::chrono::nanoseconds delta);

 private:
  mutable std::mutex mutex_;
  mutable std::chrono::system_clock::time_point wall_;
  mutable std::chrono::steady_clock::time_point mono_;
};

// Seconds since the Unix epoch, as a double, for metrics and JSON.
double unix_seconds(std::chrono::system_clock::time_point tp);

}  // namespace hsops
