// Shared helpers for the alert engine tests: check results and a settings builder.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "alerting/engine.h"
#include "core/range.h"

namespace hsops::alerting::test {

using namespace std::chrono_literals;

inline CheckResult result(const std::string& check, Status status, const std::string& summary = "summary") {
  CheckResult r;
  r.check = check;
  r.status = status;
  r.summary = summary;
  return r;
}

// A measurement of `value` with a critical threshold "10" (alert above 10), labelled.
inline Measurement slot_lag(const std::string& slot, double value) {
  Measurement m;
  m.label = slot + " lag";
  m.value = value;
  m.critical = Range::parse("10").value();
  m.metric = "hsops_wal_slot_lag";
  m.metric_labels = {{"slot", slot}};
  return m;
}

// Tiers: "oncall" at 0, "backup" at 10 min, "boss" at 30 min; no repeat unless critical.
inline EngineSettings three_tiers() {
  EngineSettings s;
  s.default_route.tiers = {Tier{0s, {"oncall"}}, Tier{10min, {"backup"}}, Tier{30min, {"boss"}}};
  return s;
}

inline std::vector<Event> events(const std::vector<Notification>& ns) {
  std::vector<Event> out;
  for (const auto& n : ns) out.push_back(n.event);
  return out;
}

// Nothing is paged a second before `gap` has passed; returns what is paged exactly then.
inline std::vector<Notification> tick_when_due(AlertEngine& engine, FakeClock& clock, std::chrono::seconds gap) {
  clock.advance(gap - 1s);
  CHECK(engine.tick().empty());
  clock.advance(1s);
  return engine.tick();
}

}  // namespace hsops::alerting::test
