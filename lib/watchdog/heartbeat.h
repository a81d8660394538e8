// The dead man's switch from inside: a GET to the heartbeat URL (healthchecks.io style) once a
// minute while the main loop is healthy, so a watchdog that died, hung, or lost its host is
// noticed by a service elsewhere. The ping runs on its own thread; a slow one is never stacked.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"

namespace hsops::watchdog {

struct HeartbeatOptions {
  std::string url;
  std::chrono::milliseconds every{60'000};
  std::chrono::milliseconds deadline{10'000};
  std::string ca_file;
};

class Heartbeat {
 public:
  using Log = std::function<void(const std::string&)>;
  // `on_failure` counts failures (a metric); `log` gets one line per change of outcome.
  Heartbeat(HeartbeatOptions options, const Clock& clock, Log log, std::function<void()> on_failure);

  // From the main loop each tick: pings when `every` has passed and no ping is in flight.
  void tick();

 private:
  struct Shared;
  HeartbeatOptions options_;
  const Clock& clock_;
  std::shared_ptr<Shared> shared_;
  std::chrono::steady_clock::time_point next_{};
};

}  // namespace hsops::watchdog
