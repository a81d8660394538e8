#include "checks/failover_drill/verdict.h"

#include <algorithm>

#include "core/units.h"

namespace hsops::checks::failover_drill {
namespace {

std::string age(double now, double at) { return format_duration(std::max(0.0, now - at)) + " ago"; }

}  // namespace

std::optional<DrillRecord> newest_good(const Drills& d) {
  std::optional<DrillRecord> good = d.last_good;
  if (d.last && d.last->ok && (!good || d.last->started_at >= good->started_at)) good = d.last;
  return good;
}

Verdict judge(const Drills& d, double now, const Thresholds& t) {
  if (!d.problem.empty()) return {Status::unknown, {d.problem}};
  if (!d.last && !d.last_good) {
    return {Status::unknown,
            {"no drill was ever recorded: run `hsops failover drill --yes` once, and install the drill timer "
             "(dist/hsops-failover-drill.timer) so it runs every week"}};
  }
  Verdict v;
  if (d.last && !d.last->ok) {
    v.status = Status::critical;
    v.reasons.push_back("last drill " + age(now, d.last->started_at) + " FAILED" +
                        (d.last->left_state.empty() ? std::string() : ": " + d.last->left_state));
  }
  const auto good = newest_good(d);
  const double max_age = static_cast<double>(t.max_age.count());
  if (!good) {
    v.status = Status::critical;
    v.reasons.push_back("no drill ever succeeded");
  } else if (now - good->started_at > max_age) {
    v.status = Status::critical;
    v.reasons.push_back("last good drill " + age(now, good->started_at) + ", older than " + format_duration(max_age));
  }
  const auto rto = d.last ? d.last->rto_seconds : std::nullopt;
  if (rto && t.rto_budget_seconds && *rto > *t.rto_budget_seconds) {
    v.status = worst(v.status, Status::warning);
    v.reasons.push_back("RTO " + format_duration(*rto) + " over the budget of " + format_duration(*t.rto_budget_seconds));
  }
  return v;
}

}  // namespace hsops::checks::failover_drill
