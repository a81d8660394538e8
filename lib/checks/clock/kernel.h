// The kernel's own view of the clock, read-only through adjtimex(2) with modes = 0, as
// node_exporter's timex collector reads it. It says whether a daemon disciplines the clock, not
// whether the clock is right: a paused VM can resume 9 minutes off with the flag still "synced".
#pragma once

#include <functional>

#include "core/result.h"

namespace hsops::checks {

// The raw fields we use from struct timex and adjtimex's return value.
struct TimexReading {
  int state = 0;        // return value: TIME_OK .. TIME_ERROR (5)
  int status = 0;       // STA_* bits
  long offset = 0;      // µs, or ns when STA_NANO
  long esterror = 0;    // µs
  long maxerror = 0;    // µs
};

struct KernelClock {
  bool synchronised = false;          // state != TIME_ERROR (which STA_UNSYNC implies)
  double offset_seconds = 0;          // the kernel PLL's offset (0 with daemons that skip the PLL)
  double estimated_error_seconds = 0;
  double max_error_seconds = 0;       // grows 500 µs/s without updates; unsync past 16 s
  int status_bits = 0;
};

KernelClock interpret(const TimexReading& reading);

// adjtimex(2) read-only. Error kind "kernel" (e.g. EPERM under a seccomp filter).
Result<KernelClock> read_kernel_clock();

// Injectable for tests.
using KernelClockReader = std::function<Result<KernelClock>()>;

}  // namespace hsops::checks
