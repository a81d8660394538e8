#include "checks/failover_drill/report.h"

#include <algorithm>
#include <cmath>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::failover_drill {
namespace {

// The `deployment` label: the playbook's name; with only a state_dir configured, the name the
// last report carries, else the directory itself (bounded: it comes from config).
std::string deployment_label(const Report& r) {
  if (!r.deployment.name.empty()) return r.deployment.name;
  for (const auto* record : {&r.drills.last, &r.drills.last_good}) {
    if (*record && !(*record)->deployment.empty()) return (*record)->deployment;
  }
  return r.deployment.state_dir.string();
}

std::string ago(double now, double at) { return format_duration(std::max(0.0, now - at)) + " ago"; }

std::string rto_text(const DrillRecord& d) {
  return d.rto_seconds ? "RTO " + format_duration(*d.rto_seconds) : std::string("RTO not measured (no probe ended)");
}

void add_measurements(const Report& r, std::vector<Measurement>& out) {
  const std::map<std::string, std::string> labels{{"deployment", deployment_label(r)}};
  const auto add = [&](std::string label, double value, std::string unit, std::string metric, std::string help) {
    out.push_back(measurement(std::move(label), value, std::move(unit), std::move(metric), std::move(help), labels));
  };
  add("max_age", static_cast<double>(r.thresholds.max_age.count()), "s", "hsops_failover_drill_max_age_seconds",
      "Age after which the last good drill counts as stale (checks.failover_drill.max_age)");
  if (!r.drills.problem.empty()) return;
  if (const auto& last = r.drills.last) {
    add("last_drill_success", last->ok ? 1 : 0, "", "hsops_failover_last_drill_success",
        "1 if the last failover drill succeeded within its budgets, else 0");
    add("last_drill_time", last->started_at, "", "hsops_failover_last_drill_timestamp_seconds",
        "Unix time the last failover drill started");
    if (last->rto_seconds) {
      add("last_drill_rto", *last->rto_seconds, "s", "hsops_failover_last_drill_rto_seconds",
          "Recovery time of the last drill: first step stopping writes to the end of the last successful probe");
    }
  }
  // 0 once a drill ran but none succeeded, so time() - it exceeds any max_age.
  const auto good = newest_good(r.drills);
  if (good || r.drills.last) {
    add("last_good_drill_time", good ? good->started_at : 0, "", "hsops_failover_last_good_drill_timestamp_seconds",
        "Unix time the last successful failover drill started (0: none succeeded yet)");
  }
  if (good) {
    // Whole seconds: a drill is weekly, and perfdata graphs need no microseconds.
    auto age = measurement("last_good_drill_age", std::floor(std::max(0.0, r.now - good->started_at)), "s", "", "");
    age.min = 0;
    out.push_back(std::move(age));
  }
}

std::string record_line(const char* what, const DrillRecord& d, double now) {
  return std::string(what) + ": " + (d.run_id.empty() ? std::string("?") : d.run_id) + ", started " + format_utc(d.started_at) +
         " (" + ago(now, d.started_at) + "), " + (d.ok ? "ok" : "FAILED") + " in " + format_duration(d.seconds) + ", " +
         rto_text(d) + (d.left_state.empty() ? std::string() : "; " + d.left_state);
}

void add_details(const Report& r, const Verdict& v, std::vector<std::string>& out) {
  out.push_back("state_dir " + r.deployment.state_dir.string());
  if (r.drills.last) out.push_back(record_line("last drill", *r.drills.last, r.now));
  const auto good = newest_good(r.drills);
  if (good && (!r.drills.last || good->run_id != r.drills.last->run_id)) out.push_back(record_line("last good drill", *good, r.now));
  if (v.status == Status::ok || !r.drills.problem.empty()) return;
  if (!r.drills.last && !r.drills.last_good) return;  // the reason already says what to do
  out.push_back("advice: read the report under " + (r.deployment.state_dir / "reports").string() +
                " and `hsops failover status` (which node is primary now, an interrupted run); fix what the failed "
                "step names, then run `hsops failover drill --yes` again (playbooks/runbooks/failover.md)");
}

}  // namespace

CheckResult build_result(const Report& r) {
  CheckResult out;
  out.check = "failover_drill";
  const Verdict v = judge(r.drills, r.now, r.thresholds);
  out.status = v.status;
  std::string summary;
  for (const auto& reason : v.reasons) summary += (summary.empty() ? "" : "; ") + reason;
  if (v.status == Status::ok || v.status == Status::warning) {
    // The figures behind a WARNING too: when the drill ran and what the RTO was.
    const auto& last = *(r.drills.last ? r.drills.last : r.drills.last_good);
    const std::string overview = "last drill " + ago(r.now, last.started_at) + " ok, " + rto_text(last);
    summary = summary.empty() ? overview : summary + " (" + overview + ")";
  }
  out.summary = summary;
  add_measurements(r, out.measurements);
  add_details(r, v, out.details);
  return out;
}

CheckResult unreadable_playbook(const Error& error) {
  CheckResult out;
  out.check = "failover_drill";
  out.status = Status::unknown;
  out.summary = error.message + " (set checks.failover_drill.playbook to the playbook `hsops failover drill` uses, "
                                "or state_dir to its state directory)";
  return out;
}

}  // namespace hsops::checks::failover_drill
