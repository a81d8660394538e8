#include "checks/clock/kernel.h"

#include <sys/timex.h>

#include <cerrno>
#include <cstring>

namespace hsops::checks {

KernelClock interpret(const TimexReading& r) {
  KernelClock k;
  k.synchronised = r.state != TIME_ERROR;
  k.offset_seconds = static_cast<double>(r.offset) / ((r.status & STA_NANO) != 0 ? 1e9 : 1e6);
  k.estimated_error_seconds = static_cast<double>(r.esterror) / 1e6;
  k.max_error_seconds = static_cast<double>(r.maxerror) / 1e6;
  k.status_bits = r.status;
  return k;
}

Result<KernelClock> read_kernel_clock() {
  timex tx{};
  tx.modes = 0;  // read only: never adjust the clock from a monitoring tool
  const int state = ::adjtimex(&tx);
  if (state < 0) return Error{ErrorKind::kernel, std::string("adjtimex failed: ") + std::strerror(errno)};
  return interpret(TimexReading{state, tx.status, tx.offset, tx.esterror, tx.maxerror});
}

}  // namespace hsops::checks
