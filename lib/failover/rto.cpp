#include "failover/rto.h"

#include <optional>

namespace hsops::failover {

std::vector<double> outage_seconds(const RunReport& report) {
  std::vector<double> outages;
  std::optional<double> since;
  for (const auto& s : report.steps) {
    if (s.state == StepState::skipped || s.started_at == 0) continue;
    if (!since && (s.type == "homeserver.stop" || s.type == "pg.fence")) since = s.started_at;
    if (since && s.type == "probe" && s.state == StepState::done) {
      outages.push_back(s.started_at + s.seconds - *since);
      since.reset();
    }
  }
  return outages;
}

}  // namespace hsops::failover
