#include "watchdog/systemd_notify.h"

#include <cstdint>

#include <systemd/sd-daemon.h>

namespace hsops::watchdog {
namespace {

bool send(const std::string& message) { return ::sd_notify(0, message.c_str()) > 0; }

}  // namespace

std::string status_line(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

bool notify_ready(std::string_view status) { return send("READY=1\nSTATUS=" + status_line(status)); }

bool notify_status(std::string_view status) { return send("STATUS=" + status_line(status)); }

bool notify_watchdog() { return send("WATCHDOG=1"); }

bool notify_stopping() { return send("STOPPING=1"); }

std::optional<std::chrono::microseconds> watchdog_keepalive_interval() {
  std::uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace hsops::watchdog
