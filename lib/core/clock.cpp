#include "core/clock.h"

#include <thread>

namespace hsops {

std::chrono::system_clock::time_point SystemClock::now() const { return std::chrono::system_clock::now(); }
std::chrono::steady_clock::time_point SystemClock::monotonic() const { return std::chrono::steady_clock::now(); }
void SystemClock::sleep_for(std::chrono::nanoseconds duration) const { std::this_thread::sleep_for(duration); }

FakeClock::FakeClock(std::chrono::system_clock::time_point start) : wall_(start), mono_() {}

std::chrono::system_clock::time_point FakeClock::now() const {
  std::lock_guard lock(mutex_);
  return wall_;
}
std::chrono::steady_clock::time_point FakeClock::monotonic() const {
  std::lock_guard lock(mutex_);
  return mono_;
}
void FakeClock::sleep_for(std::chrono::nanoseconds duration) const {
  std::lock_guard lock(mutex_);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(duration);
  mono_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration);
}
void FakeClock::advance(std::chrono::nanoseconds duration) { sleep_for(duration); }
void FakeClock::step_wall(std::chrono::nanoseconds delta) {
  std::lock_guard lock(mutex_);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(delta);
}

double unix_seconds(std::chrono::system_clock::time_point tp) {
  return std::chrono::duration<double>(tp.time_since_epoch()).count();
}

}  // namespace hsops
