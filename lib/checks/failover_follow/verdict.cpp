#include "checks/failover_follow/verdict.h"

#include <algorithm>
#include <utility>

#include "core/units.h"

namespace hsops::checks::failover_follow {
namespace {

double since(double now, double at) { return std::max(0.0, now - at); }

std::string seconds_text(std::optional<double> s) { return s ? format_duration(*s) : std::string("?"); }

std::string rto_text(const Change& c) {
  if (!c.rto_seconds) return "RTO not measured (the old leader was not seen)";
  return "RTO " + format_duration(*c.rto_seconds) + " (Patroni " + seconds_text(c.patroni_seconds) + ", hsops " +
         seconds_text(c.hsops_seconds) + ")";
}

}  // namespace

const char* to_string(Condition c) {
  switch (c) {
    case Condition::follower_down: return "follower_down";
    case Condition::no_leader: return "no_leader";
    case Condition::follow_failed: return "follow_failed";
    case Condition::leader_changed: return "leader_changed";
  }
  return "?";
}

std::string change_text(const Change& c) { return (c.from ? *c.from : std::string("?")) + " -> " + c.to; }

bool heartbeat_stale(const FollowState& s, double now, const Thresholds& t) {
  return now - s.updated_at > static_cast<double>(t.stale_after.count());
}

Verdict judge(const Follow& f, double now, const Thresholds& t) {
  Verdict v;
  if (!f.problem.empty()) {
    v.status = Status::unknown;
    v.reasons.push_back(f.problem);
    return v;
  }
  if (!f.state) {
    v.status = Status::unknown;
    v.reasons.push_back("no follower state in " + f.file.string() +
                        ": is `hsops failover follow` running (dist/hsops-failover-follow.service)?");
    return v;
  }
  const FollowState& s = *f.state;
  const auto add = [&](Condition c, Status status, std::string reason) {
    v.status = worst(v.status, status);
    v.reasons.push_back(reason);
    v.findings.push_back({c, status, std::move(reason)});
  };
  if (heartbeat_stale(s, now, t)) {
    // A dead follower's file says nothing about now: judge nothing else.
    add(Condition::follower_down, Status::critical,
        "the follower has not written " + f.file.string() + " for " + format_duration(since(now, s.updated_at)) +
            " (pid " + std::to_string(s.pid) +
            "): a leader change would not move the homeserver; check hsops-failover-follow.service");
    return v;
  }
  if (s.no_leader_since) {
    add(Condition::no_leader, Status::critical,
        "no leader for " + format_duration(since(now, *s.no_leader_since)) +
            ": Patroni has not elected one (etcd down, or no healthy replica); clients cannot write");
  }
  if (const auto& c = s.last_change) {
    if (!c->ok) {
      add(Condition::follow_failed, Status::critical,
          "leader changed " + change_text(*c) + " " + format_duration(since(now, c->leader_elected_at)) +
              " ago but the homeserver did not follow: " + (c->failed_step.empty() ? std::string("?") : c->failed_step) +
              " failed: " + (c->error.empty() ? std::string("(no error recorded)") : c->error) + "; see " +
              (c->report.empty() ? std::string("the follower's journal") : c->report));
    } else if (now - c->leader_elected_at < static_cast<double>(t.changed_window.count())) {
      add(Condition::leader_changed, Status::warning,
          "leader changed " + change_text(*c) + " " + format_duration(since(now, c->leader_elected_at)) +
              " ago; the homeserver followed to " + s.active_homeserver + "; " + rto_text(*c));
    }
  }
  // Added worst first: the CRITICAL findings, then the WARNING.
  return v;
}

}  // namespace hsops::checks::failover_follow
