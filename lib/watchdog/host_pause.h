// Noticing that the host stopped: a VM frozen for a live migration or a suspended laptop
// makes the main loop's tick arrive late. The outage's DHCP lease expired right after such a
// clock jump, so a pause is logged, counted, alerted, and makes the clock check run at once.
#pragma once

#include <chrono>
#include <optional>

namespace hsops::watchdog {

struct ClockReading {
  std::chrono::steady_clock::time_point monotonic;  // CLOCK_MONOTONIC: stops during suspend
  std::chrono::nanoseconds boottime;                // CLOCK_BOOTTIME: counts suspend too
};

// The reading now, from the kernel.
ClockReading read_clocks();

struct HostPause {
  std::chrono::milliseconds lost;  // how long the loop did not run beyond its expected tick
};

class PauseDetector {
 public:
  // `tick`: how often the main loop looks; `threshold`: lateness that counts as a pause
  // (scheduler noise on a busy 2-core host stays well below a few seconds).
  PauseDetector(std::chrono::milliseconds tick, std::chrono::milliseconds threshold);

  // Called once per main-loop tick. The lateness is the larger of the monotonic gap beyond
  // one tick (a frozen VM) and the boottime gap beyond the monotonic one (a suspend).
  std::optional<HostPause> observe(const ClockReading& now);

 private:
  std::chrono::milliseconds tick_;
  std::chrono::milliseconds threshold_;
  std::optional<ClockReading> last_;
};

}  // namespace hsops::watchdog
