#include "checks/clock/verdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks {
namespace {

constexpr double kMaxSlewRate = 0.0005;  // 500 ppm: ntpd's (and the kernel PLL's) limit
constexpr double kStepThreshold = 0.128; // ntpd steps above this anyway

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string format_small(double seconds) {
  char buf[40];
  if (std::fabs(seconds) < 0.01) std::snprintf(buf, sizeof buf, "%.3f ms", seconds * 1000);
  else if (std::fabs(seconds) < 1) std::snprintf(buf, sizeof buf, "%.1f ms", seconds * 1000);
  else std::snprintf(buf, sizeof buf, "%.3f s", seconds);
  return buf;
}

// The limit a simple "|offset| above X" range stands for (infinity if it is not one).
double limit_of(const Range& r) { return r.inside() || r.start() > 0 ? std::numeric_limits<double>::infinity() : r.end(); }

// Perfdata thresholds are on the signed offset: "0:0.05" on |offset| becomes "-0.05:0.05".
std::optional<Range> symmetric(const Range& on_magnitude) {
  const double limit = limit_of(on_magnitude);
  if (!std::isfinite(limit)) return on_magnitude;
  auto r = Range::parse("-" + number(limit) + ":" + number(limit));
  return r ? std::optional<Range>(*r) : std::nullopt;
}

Measurement metric(std::string label, double value, std::string unit, std::string name,
                   std::map<std::string, std::string> labels, std::string help) {
  return measurement(std::move(label), value, std::move(unit), std::move(name), std::move(help), std::move(labels));
}

const char* kOffsetHelp = "Offset of a time source from this host's clock (positive: the source is ahead)";
const char* kUncertaintyHelp = "Half-width of the interval the true offset lies in (NTP: delay/2 + root distance)";

std::string host_of(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const auto end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

Range offset_limit(double seconds) { return Range::parse("0:" + number(seconds)).value(); }

std::string format_offset(double seconds) {
  char buf[40];
  if (std::fabs(seconds) >= 1) std::snprintf(buf, sizeof buf, "%+.3f s", seconds);
  else if (std::fabs(seconds) >= 0.01) std::snprintf(buf, sizeof buf, "%+.1f ms", seconds * 1000);
  else std::snprintf(buf, sizeof buf, "%+.3f ms", seconds * 1000);
  return buf;
}

std::string slew_advice(double offset) {
  const double magnitude = std::fabs(offset);
  const std::string slew = format_duration(magnitude / kMaxSlewRate);
  std::string text = format_small(magnitude) + " off: a 500 ppm slew (ntpd's maximum) needs " + slew;
  if (magnitude >= kStepThreshold) {
    text += "; step the clock: chronyc makestep (ntpd: stop it, run ntpd -gq, start it)";
  } else {
    text += "; the time daemon should slew this out by itself - is it running and reaching its servers "
            "(chronyc tracking / ntpq -p)?";
  }
  return text;
}

CheckResult assess(const ClockObservations& seen, const ClockThresholds& thresholds) {
  CheckResult result;
  result.check = "clock";
  result.status = Status::unknown;
  auto& m = result.measurements;

  // The best NTP sample: the lowest delay, since delay bounds the error (|error| <= delay/2).
  const ServerOutcome* best = nullptr;
  int reachable = 0;
  for (const auto& s : seen.servers) {
    if (!s.sample) continue;
    ++reachable;
    if (best == nullptr || s.sample->delay < best->sample->delay) best = &s;
  }

  std::string summary;
  std::vector<std::string> advice;
  std::vector<std::string> problems;
  if (best != nullptr) {
    const auto& b = *best->sample;
    const double magnitude = std::fabs(b.offset);
    Status offset_status = Status::ok;
    if (thresholds.critical.alerts(magnitude)) offset_status = Status::critical;
    else if (thresholds.warning.alerts(magnitude)) offset_status = Status::warning;
    result.status = offset_status;
    summary = "offset " + format_offset(b.offset) + " vs " + best->server + " (stratum " + std::to_string(b.stratum) +
              ", delay " + format_small(b.delay) + ")";
    if (offset_status != Status::ok) {
      advice.push_back(slew_advice(b.offset));
      if (magnitude >= 1) {
        advice.push_back("an offset of whole seconds usually means the VM was paused or live-migrated (its clock "
                         "stood still); chrony's `makestep 1 -1` steps the clock after such events");
      }
    }
  } else {
    std::string reasons;
    for (const auto& s : seen.servers) {
      reasons += (reasons.empty() ? "" : "; ") + s.server + ": " + s.sample.error().message;
    }
    summary = seen.servers.empty() ? "no NTP server configured" : "no NTP server answered (" + reasons + ")";
  }

  // Per-server figures: the best one carries the thresholds; the others are listed.
  for (const auto& s : seen.servers) {
    if (!s.sample) {
      const bool refused = s.sample.error().kind == ErrorKind::kod &&
                           (s.sample.error().message.find("DENY") != std::string::npos ||
                            s.sample.error().message.find("RSTR") != std::string::npos);
      result.details.push_back("NTP " + s.server + ": " + s.sample.error().message +
                               (refused ? " - not used; remove it from checks.clock.servers" : ""));
      continue;
    }
    const auto& x = *s.sample;
    const bool is_best = &s == best;
    const std::map<std::string, std::string> labels{{"source", "ntp"}, {"server", s.server}};
    Measurement off = metric(is_best ? "offset" : "offset " + s.server, x.offset, "s", "hsops_clock_offset_seconds",
                             labels, kOffsetHelp);
    if (is_best) {
      off.warning = symmetric(thresholds.warning);
      off.critical = symmetric(thresholds.critical);
    }
    m.push_back(off);
    m.push_back(metric(is_best ? "delay" : "delay " + s.server, x.delay, "s", "hsops_clock_ntp_delay_seconds",
                       {{"server", s.server}}, "Round-trip delay of the best SNTP exchange with the server"));
    m.push_back(metric(is_best ? "uncertainty" : "uncertainty " + s.server, x.delay / 2 + x.root_distance, "s",
                       "hsops_clock_offset_uncertainty_seconds", labels, kUncertaintyHelp));
    result.details.push_back(std::string(is_best ? "NTP (used) " : "NTP ") + s.server + " [" + x.server + "]: offset " +
                             format_offset(x.offset) + ", delay " + format_small(x.delay) + ", stratum " +
                             std::to_string(x.stratum) + ", refid " + x.refid + ", root distance " +
                             format_small(x.root_distance) + ", best of " + std::to_string(x.samples));
  }
  Measurement count = metric("sources reachable", reachable, "", "hsops_clock_sources_reachable", {},
                             "How many configured NTP servers answered");
  count.min = 0;
  count.max = static_cast<double>(seen.servers.size());
  m.push_back(count);
  if (!seen.servers_origin.empty()) result.details.push_back("NTP servers from " + seen.servers_origin);

  // The kernel's view: only a warning on its own, since it cannot tell how far off we are.
  std::string kernel_part;
  if (seen.kernel && seen.kernel->ok()) {
    const KernelClock& k = seen.kernel->value();
    kernel_part = k.synchronised ? "kernel synchronised" : "kernel NOT synchronised";
    m.push_back(metric("kernel synchronised", k.synchronised ? 1 : 0, "", "hsops_clock_kernel_synchronised", {},
                       "1 if the kernel clock is marked synchronised by a time daemon (adjtimex)"));
    m.push_back(metric("kernel est error", k.estimated_error_seconds, "s", "hsops_clock_kernel_estimated_error_seconds",
                       {}, "The kernel's estimated clock error (adjtimex esterror)"));
    m.push_back(metric("kernel max error", k.max_error_seconds, "s", "hsops_clock_kernel_max_error_seconds", {},
                       "The kernel's maximum clock error bound (adjtimex maxerror)"));
    result.details.push_back("kernel: " + kernel_part + ", estimated error " + format_small(k.estimated_error_seconds) +
                             ", max error " + format_small(k.max_error_seconds) + ", PLL offset " +
                             format_offset(k.offset_seconds));
    if (!k.synchronised && thresholds.require_kernel_sync) {
      result.status = result.status == Status::unknown ? Status::warning : worst(result.status, Status::warning);
      advice.push_back("the kernel clock is not marked synchronised: is chronyd/ntpd running? (chrony without "
                       "`rtcsync` always leaves it so: then set checks.clock.require_kernel_sync: false)");
    }
  } else if (seen.kernel) {
    result.details.push_back("kernel: " + seen.kernel->error().message);
  }

  // HTTP Date: 1 s resolution, so only a disagreement beyond its own uncertainty counts.
  const double crit_limit = limit_of(thresholds.critical);
  for (const auto& h : seen.http) {
    if (!h.estimate) {
      result.details.push_back("HTTP Date " + h.url + ": " + h.estimate.error().message);
      continue;
    }
    const OffsetInterval& iv = h.estimate->interval;
    const std::map<std::string, std::string> labels{{"source", "http"}, {"server", h.url}};
    m.push_back(metric("http offset " + host_of(h.url), iv.midpoint(), "s", "hsops_clock_offset_seconds", labels,
                       kOffsetHelp));
    m.push_back(metric("http uncertainty " + host_of(h.url), iv.uncertainty(), "s",
                       "hsops_clock_offset_uncertainty_seconds", labels, kUncertaintyHelp));
    result.details.push_back("HTTP Date " + h.url + ": offset " + format_offset(iv.midpoint()) + " ± " +
                             format_small(iv.uncertainty()) + " from " + std::to_string(h.estimate->samples) +
                             " requests");
    const double reference = best != nullptr ? best->sample->offset : 0.0;
    const double disagreement = std::fabs(iv.midpoint() - reference);
    const double allowed = std::max(1.0 + iv.uncertainty(), std::isfinite(crit_limit) ? crit_limit : 1.0);
    if (best != nullptr && disagreement > allowed) {
      result.status = worst(result.status, Status::warning);
      problems.push_back("HTTP Date of " + h.url + " says " + format_offset(iv.midpoint()));
    } else if (best == nullptr) {
      // No NTP answer: the Date header alone can still prove the clock is off.
      const double at_least = std::max(0.0, std::fabs(iv.midpoint()) - iv.uncertainty());
      Status s = Status::unknown;
      if (thresholds.critical.alerts(at_least)) s = Status::critical;
      else if (thresholds.warning.alerts(at_least)) s = Status::warning;
      if (s != Status::unknown) {
        result.status = result.status == Status::unknown ? s : worst(result.status, s);
        problems.push_back("HTTP Date of " + h.url + " says " + format_offset(iv.midpoint()) + " ± " +
                           format_small(iv.uncertainty()));
        advice.push_back(slew_advice(at_least));
      }
    }
  }

  if (!kernel_part.empty()) summary += "; " + kernel_part;
  for (const auto& p : problems) summary += "; " + p;
  result.summary = summary;
  result.details.insert(result.details.begin(), advice.begin(), advice.end());
  return result;
}

}  // namespace hsops::checks
