#include "watchdog/host_pause.h"

#include <algorithm>
#include <time.h>

namespace hsops::watchdog {

ClockReading read_clocks() {
  timespec boot{};
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  return {std::chrono::steady_clock::now(), std::chrono::seconds(boot.tv_sec) + std::chrono::nanoseconds(boot.tv_nsec)};
}

PauseDetector::PauseDetector(std::chrono::milliseconds tick, std::chrono::milliseconds threshold)
    : tick_(tick), threshold_(threshold) {}

std::optional<HostPause> PauseDetector::observe(const ClockReading& now) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::optional<HostPause> pause;
  if (last_) {
    const auto mono_gap = duration_cast<milliseconds>(now.monotonic - last_->monotonic);
    const auto boot_gap = duration_cast<milliseconds>(now.boottime - last_->boottime);
    const auto late = std::max(mono_gap - tick_, boot_gap - std::max(mono_gap, tick_));
    if (late > threshold_) pause = HostPause{late};
  }
  last_ = now;
  return pause;
}

}  // namespace hsops::watchdog
