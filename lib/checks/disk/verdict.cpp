#include "checks/disk/verdict.h"

#include <cstdio>

#include "core/units.h"

namespace hsops::checks::disk {
namespace {

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g %%", v);
  return buf;
}

bool full_within(std::optional<double> seconds_until_full, std::chrono::seconds horizon) {
  return seconds_until_full && *seconds_until_full <= static_cast<double>(horizon.count());
}

}  // namespace

Range floor_range(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g:", percent);
  return Range::parse(buf).value();
}

Verdict judge(double free_percent, std::optional<double> seconds_until_full, const Thresholds& t) {
  // Critical conditions first, so the reason names the most urgent one.
  if (t.crit_floor.alerts(free_percent)) return {Status::critical, "critical floor reached (range " + t.crit_floor.text() + ")"};
  if (free_percent < t.crit_free_percent && full_within(seconds_until_full, t.crit_within)) {
    return {Status::critical, "below " + pct(t.crit_free_percent) + " and full within " +
                                  format_duration(static_cast<double>(t.crit_within.count()))};
  }
  if (t.warn_floor.alerts(free_percent)) return {Status::warning, "warning floor reached (range " + t.warn_floor.text() + ")"};
  if (free_percent < t.warn_free_percent && full_within(seconds_until_full, t.warn_within)) {
    return {Status::warning, "below " + pct(t.warn_free_percent) + " and full within " +
                                 format_duration(static_cast<double>(t.warn_within.count()))};
  }
  return {Status::ok, ""};
}

}  // namespace hsops::checks::disk
