// Tells systemd how the daemon is (Type=notify, sd_notify(3)): READY=1 once the checks are
// scheduled, STATUS= a one-line summary, WATCHDOG=1 only from the healthy main loop, and
// STOPPING=1 on SIGTERM. Without $NOTIFY_SOCKET (not run by systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace hsops::watchdog {

// Each returns whether systemd was told (false outside systemd or when the socket failed).
bool notify_ready(std::string_view status);
bool notify_status(std::string_view status);
bool notify_watchdog();
bool notify_stopping();

// How often to send WATCHDOG=1: half of the unit's WatchdogSec=, or nullopt when systemd
// does not ask for keep-alives (or asks another process).
std::optional<std::chrono::microseconds> watchdog_keepalive_interval();

// STATUS= text on one line: a summary with a newline would otherwise smuggle in another
// assignment (a check summary saying "\nREADY=1"), so line breaks become spaces.
std::string status_line(std::string_view text);

}  // namespace hsops::watchdog
