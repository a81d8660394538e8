#include "checks/failover_follow/report.h"

#include <algorithm>
#include <cmath>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::failover_follow {
namespace {

// The `deployment` label: the playbook's name; with only a state_dir configured, the name
// follow.json carries, else the directory itself (bounded: it comes from config).
std::string deployment_label(const Report& r) {
  if (!r.deployment.name.empty()) return r.deployment.name;
  if (r.follow.state && !r.follow.state->deployment.empty()) return r.follow.state->deployment;
  return r.deployment.state_dir.string();
}

double since(double now, double at) { return std::max(0.0, now - at); }

void add_measurements(const Report& r, bool stale, std::vector<Measurement>& out) {
  const std::map<std::string, std::string> labels{{"deployment", deployment_label(r)}};
  const auto add = [&](std::string label, double value, std::string unit, std::string metric, std::string help) {
    out.push_back(measurement(std::move(label), value, std::move(unit), std::move(metric), std::move(help), labels));
  };
  add("stale_after", static_cast<double>(r.thresholds.stale_after.count()), "s", "hsops_failover_follow_stale_after_seconds",
      "Heartbeat age after which the failover follower counts as down (checks.failover_follow.stale_after)");
  if (!r.follow.problem.empty() || !r.follow.state) return;
  const FollowState& s = *r.follow.state;
  // Whole seconds: the follower writes every 10 s at least.
  add("heartbeat_age", std::floor(since(r.now, s.updated_at)), "s", "hsops_failover_follow_heartbeat_age_seconds",
      "Seconds since `hsops failover follow` last wrote its state file (its heartbeat)");
  // A stale file says nothing about Patroni now: no current figures from it.
  if (!stale) {
    add("leader_present", s.leader ? 1 : 0, "", "hsops_failover_follow_leader_present",
        "1 if the failover follower's last poll of Patroni saw a leader, else 0");
    add("no_leader", s.no_leader_since ? std::floor(since(r.now, *s.no_leader_since)) : 0, "s",
        "hsops_failover_follow_no_leader_seconds",
        "Seconds the failover follower has seen no Patroni leader (0 while there is one)");
  }
  if (const auto& c = s.last_change) {
    add("last_change_time", c->leader_elected_at, "", "hsops_failover_follow_last_change_timestamp_seconds",
        "Unix time the failover follower first saw the new leader of the last leader change");
    add("last_change_success", c->ok ? 1 : 0, "", "hsops_failover_follow_last_change_success",
        "1 if the homeserver followed the last leader change (moved and proven by a probe), else 0");
    if (c->rto_seconds) {
      add("last_rto", *c->rto_seconds, "s", "hsops_failover_follow_last_rto_seconds",
          "Recovery time of the last followed leader change: old leader last seen to the first good probe");
    }
    if (c->patroni_seconds) {
      add("last_patroni", *c->patroni_seconds, "s", "hsops_failover_follow_last_patroni_seconds",
          "Patroni's part of the last leader change: old leader last seen to the new leader first seen");
    }
    if (c->hsops_seconds) {
      add("last_hsops", *c->hsops_seconds, "s", "hsops_failover_follow_last_hsops_seconds",
          "hsops's part of the last leader change: new leader first seen to the first good probe");
    }
  }
}

// One indicator per condition, so the watchdog pages each as its own alert
// (failover_follow{condition=no_leader}, ...): 1 while it holds, with the threshold that makes
// it breach at the finding's severity. No perfdata label and no metric: alerting only.
void add_indicators(const Verdict& v, std::vector<Measurement>& out) {
  for (const auto c : {Condition::follower_down, Condition::no_leader, Condition::follow_failed, Condition::leader_changed}) {
    Measurement m = measurement("", 0, "", "", "", {{"condition", to_string(c)}});
    for (const auto& f : v.findings) {
      if (f.condition != c) continue;
      m.value = 1;
      (f.status == Status::critical ? m.critical : m.warning) = Range::parse("0").value();
    }
    out.push_back(std::move(m));
  }
}

std::string change_line(const Change& c, double now) {
  std::string line = "last change " + change_text(c) + ": elected " + format_utc(c.leader_elected_at) + " (" +
                     format_duration(since(now, c.leader_elected_at)) + " ago), ";
  if (c.ok) {
    line += "followed";
    if (c.followed_at) line += " " + format_utc(*c.followed_at);
  } else {
    line += "NOT followed: " + c.failed_step + " failed: " + c.error;
  }
  if (c.rto_seconds) line += ", RTO " + format_duration(*c.rto_seconds);
  if (c.patroni_seconds) line += ", Patroni " + format_duration(*c.patroni_seconds);
  if (c.hsops_seconds) line += ", hsops " + format_duration(*c.hsops_seconds);
  if (!c.run_id.empty()) line += "; run " + c.run_id;
  if (!c.report.empty()) line += ", report " + c.report;
  return line;
}

void add_details(const Report& r, const Verdict& v, std::vector<std::string>& out) {
  out.push_back("state file " + r.follow.file.string());
  if (!r.follow.state) return;
  const FollowState& s = *r.follow.state;
  out.push_back("follower pid " + std::to_string(s.pid) + ", last wrote " + format_utc(s.updated_at) + " (" +
                format_duration(since(r.now, s.updated_at)) + " ago), polls Patroni every " +
                format_duration(s.poll_interval_seconds));
  out.push_back("leader " + (s.leader ? *s.leader : std::string("none")) +
                (s.no_leader_since ? " since " + format_utc(*s.no_leader_since) : std::string()) + ", homeserver " +
                (s.active_homeserver.empty() ? std::string("?") : s.active_homeserver) + ", " + std::to_string(s.changes) +
                " leader change" + (s.changes == 1 ? "" : "s") + " followed since the follower started");
  if (s.last_change) out.push_back(change_line(*s.last_change, r.now));
  if (v.status == Status::ok || v.status == Status::unknown) return;
  if (v.status == Status::warning) {
    out.push_back("advice: nothing to move; find out why the old leader went away (`patronictl list`, its Patroni and "
                  "PostgreSQL journals) and bring it back as a replica; playbooks/runbooks/failover.md \"Leader changes\"");
    return;
  }
  out.push_back("advice: `systemctl status hsops-failover-follow` and its journal, `patronictl list` (which member "
                "leads), `hsops failover status` (which homeserver serves); playbooks/runbooks/failover.md \"Leader "
                "changes\"");
}

}  // namespace

CheckResult build_result(const Report& r) {
  CheckResult out;
  out.check = "failover_follow";
  const Verdict v = judge(r.follow, r.now, r.thresholds);
  out.status = v.status;
  std::string summary;
  for (const auto& reason : v.reasons) summary += (summary.empty() ? "" : "; ") + reason;
  if (v.status == Status::ok) {
    const FollowState& s = *r.follow.state;
    summary = "leader " + (s.leader ? *s.leader : std::string("none")) + ", homeserver " +
              (s.active_homeserver.empty() ? std::string("?") : s.active_homeserver) + "; " + std::to_string(s.changes) +
              " leader change" + (s.changes == 1 ? "" : "s") + " followed since the follower started";
  }
  out.summary = summary;
  const bool stale = r.follow.state && heartbeat_stale(*r.follow.state, r.now, r.thresholds);
  add_measurements(r, stale, out.measurements);
  if (r.follow.state && r.follow.problem.empty()) add_indicators(v, out.measurements);
  add_details(r, v, out.details);
  return out;
}

CheckResult unreadable_playbook(const Error& error) {
  CheckResult out;
  out.check = "failover_follow";
  out.status = Status::unknown;
  out.summary = error.message + " (set checks.failover_follow.playbook to the playbook `hsops failover follow` uses, "
                                "or state_dir to its state directory)";
  return out;
}

}  // namespace hsops::checks::failover_follow
