// Canary outcomes -> one line: a direction that did not deliver is CRITICAL for that
// direction, named as such, while the other direction's latency is still reported.
#include "checks/bridge/canary.h"
#include "checks/common/measurement.h"
#include "core/units.h"

#include <tuple>

namespace hsops::checks::bridge {
namespace {

Measurement metric(const std::string& bridge, const char* direction, std::string what, double value) {
  const bool latency = what == "latency";
  Measurement m = measurement(
      bridge + " " + direction + (latency ? "" : " delivered"), value, latency ? "s" : "",
      latency ? "hsops_bridge_delivery_latency_seconds" : "hsops_bridge_delivered",
      latency ? "seconds the canary message took through the bridge, per direction (present when delivered)"
              : "1 if the last canary message arrived on the other side within its deadline, per direction",
      {{"bridge", bridge}, {"direction", direction}});
  m.min = 0;
  return m;
}

const char* arrow(const char* direction) {
  return std::string(direction) == kMatrixToRemote ? "Matrix -> remote" : "remote -> Matrix";
}

}  // namespace

CheckResult build_bridge_result(const std::vector<CanaryOutcome>& outcomes, const Options& options) {
  CheckResult r;
  r.check = "bridge";
  r.status = Status::ok;
  std::string bad, good;
  for (const auto& o : outcomes) {
    if (o.setup_error) {
      r.status = worst(r.status, Status::critical);
      bad += (bad.empty() ? "" : "; ") + o.bridge + ": canary set-up failed: " + *o.setup_error;
      continue;
    }
    for (const auto& [direction, d] : {std::pair{kMatrixToRemote, &o.matrix_to_remote}, std::pair{kRemoteToMatrix, &o.remote_to_matrix}}) {
      r.measurements.push_back(metric(o.bridge, direction, "delivered", d->latency_seconds ? 1 : 0));
      if (!d->latency_seconds) {
        r.status = worst(r.status, Status::critical);
        bad += (bad.empty() ? "" : "; ") + o.bridge + ": " + arrow(direction) + " " + d->error;
        continue;
      }
      auto m = metric(o.bridge, direction, "latency", *d->latency_seconds);
      m.warning = options.warning;
      m.critical = options.critical;
      const Status s = evaluate(m);
      r.measurements.push_back(std::move(m));
      const std::string figure = o.bridge + ": " + arrow(direction) + " " + format_duration(*d->latency_seconds);
      if (s != Status::ok) {
        r.status = worst(r.status, s);
        bad += (bad.empty() ? "" : "; ") + figure + " (slow)";
      } else {
        good += (good.empty() ? "" : ", ") + figure;
      }
      r.details.push_back(figure);
    }
  }
  for (const auto& o : outcomes) {
    if (!o.traffic_error.empty()) {
      r.status = worst(r.status, Status::unknown);
      r.details.push_back(o.bridge + ": " + o.traffic_error);
    }
    if (!o.traffic) continue;
    const auto& t = *o.traffic;
    for (const auto& [direction, count, age] : {std::tuple{kMatrixToRemote, t.outbound, t.outbound_age},
                                                std::tuple{kRemoteToMatrix, t.inbound, t.inbound_age}}) {
      Measurement m = metric(o.bridge, direction, "delivered", static_cast<double>(count));
      m.label = o.bridge + " " + direction + " messages";
      m.metric = "hsops_bridge_messages";
      m.help = "messages in the bridged rooms over traffic_window, per direction (the passive view)";
      r.measurements.push_back(std::move(m));
      if (age) {
        Measurement a = metric(o.bridge, direction, "latency", *age);
        a.label = o.bridge + " " + direction + " last_message";
        a.metric = "hsops_bridge_last_message_age_seconds";
        a.help = "seconds since the last message in this direction (present when there was one in the window)";
        r.measurements.push_back(std::move(a));
      }
    }
    r.details.push_back(o.bridge + ": passive view " + std::to_string(t.outbound) + " Matrix -> remote, " + std::to_string(t.inbound) +
                        " remote -> Matrix");
    if (const auto silent = judge_traffic(t, options.traffic_limits); !silent.empty()) {
      r.status = worst(r.status, Status::warning);
      bad += (bad.empty() ? "" : "; ") + o.bridge + ": " + silent;
    }
  }
  if (outcomes.empty()) {
    r.status = Status::unknown;
    r.summary = "no bridges configured";
    return r;
  }
  r.summary = bad.empty() ? good : bad + (good.empty() ? "" : "; " + good);
  return r;
}

}  // namespace hsops::checks::bridge
