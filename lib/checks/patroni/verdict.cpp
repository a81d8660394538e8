#include "checks/patroni/verdict.h"

#include <algorithm>
#include <set>

#include "core/units.h"

namespace hsops::checks::patroni {
namespace {

// Reasons are kept per status so the summary can put the worst first.
class Collector {
 public:
  void add(Status s, std::string why) { found_.push_back({s, std::move(why)}); }
  Verdict finish() const {
    Verdict v;
    for (Status s : {Status::unknown, Status::critical, Status::warning}) {
      for (const auto& [status, why] : found_) {
        if (status != s) continue;
        if (v.reasons.empty()) v.status = s;
        v.reasons.push_back(why);
      }
    }
    return v;
  }

 private:
  std::vector<std::pair<Status, std::string>> found_;
};

std::string who(const Member& m) { return "member " + m.name; }

void judge_leaders(const Cluster& c, Collector& out) {
  std::vector<std::string> leaders;
  for (const auto& m : c.members) {
    if (is_leader(m)) leaders.push_back(m.name);
  }
  if (leaders.empty()) {
    out.add(Status::critical, "no leader: nothing accepts writes; Patroni could not elect one — is etcd reachable?");
  } else if (leaders.size() > 1) {
    std::string names;
    for (const auto& n : leaders) names += (names.empty() ? "" : ", ") + n;
    out.add(Status::critical, std::to_string(leaders.size()) + " leaders (" + names + "): split brain, writes may diverge");
  }
  for (const auto& m : c.members) {
    if (is_leader(m) && m.state != "running") out.add(Status::critical, "leader " + m.name + " is " + m.state + ", not running");
  }
}

void judge_replica(const Member& m, const Thresholds& t, Collector& out) {
  if (m.state == "in archive recovery") {
    out.add(Status::warning, who(m) + " is in archive recovery, not streaming from the leader");
  } else if (!is_replicating(m)) {
    out.add(Status::critical, who(m) + " is " + (m.state.empty() ? std::string("in no reported state") : m.state) +
                                  ", not streaming: no failover target");
    return;
  }
  if (m.lag_unknown) {
    out.add(Status::warning, who(m) + " lag unknown: Patroni knows no WAL position for it");
    return;
  }
  const double lag = m.lag_bytes.value_or(0);
  if (lag > static_cast<double>(t.crit_lag_bytes)) {
    out.add(Status::critical, who(m) + " " + format_bytes(lag) + " behind");
  } else if (lag > static_cast<double>(t.warn_lag_bytes)) {
    out.add(Status::warning, who(m) + " " + format_bytes(lag) + " behind (above " + format_bytes(static_cast<double>(t.warn_lag_bytes)) +
                                 ": Patroni's default maximum_lag_on_failover would not promote it)");
  }
}

void judge_timelines(const Cluster& c, Collector& out) {
  std::set<long long> seen;
  std::string list;
  for (const auto& m : c.members) {
    if (!m.timeline || !(is_leader(m) || is_replicating(m))) continue;
    seen.insert(*m.timeline);
    list += (list.empty() ? "" : ", ") + m.name + " " + std::to_string(*m.timeline);
  }
  if (seen.size() > 1) out.add(Status::critical, "timelines disagree (" + list + "): a member follows an old leader's history");
}

void judge_dcs(const Snapshot& s, const Thresholds& t, Collector& out) {
  std::size_t reported = 0;
  std::vector<std::string> stale;
  for (const auto& api : s.apis) {
    const std::string name = api.member.empty() ? api.url : api.member;
    if (!api.error.empty()) {
      out.add(Status::warning, "member " + name + " REST API does not answer (" + api.error + ")");
      continue;
    }
    const auto age = dcs_age(api, s.now);
    if (!age) continue;
    ++reported;
    if (*age > static_cast<double>(t.dcs_max_age.count())) stale.push_back(name + " " + format_duration(*age) + " ago");
  }
  if (stale.empty()) return;
  std::string list;
  for (const auto& x : stale) list += (list.empty() ? "" : ", ") + x;
  if (stale.size() == reported) {
    out.add(Status::critical, "etcd unreachable from every member: no failover is possible, and a leader that cannot renew "
                              "its lock demotes itself unless failsafe_mode is on (last DCS contact: " + list + ")");
  } else {
    out.add(Status::warning, "stale DCS contact (" + list + "): that member cannot reach etcd and cannot take over");
  }
}

}  // namespace

bool is_leader(const Member& m) { return m.role == "leader" || m.role == "standby_leader" || m.role == "master"; }

bool is_replicating(const Member& m) { return !is_leader(m) && (m.state == "running" || m.state == "streaming"); }

std::optional<double> dcs_age(const MemberApi& api, double now) {
  if (!api.error.empty() || !api.dcs_last_seen) return std::nullopt;
  return std::max(0.0, now - *api.dcs_last_seen);
}

Verdict judge(const Snapshot& s, const Thresholds& t) {
  Collector out;
  if (!s.cluster) {
    const std::string problem = s.cluster_problem.empty() ? std::string("no member answered /cluster") : s.cluster_problem;
    // Patroni 3.0 builds /cluster from the DCS: with etcd gone every member drops the request
    // (an empty reply) while /patroni still answers with a stale dcs_last_seen. That is the
    // etcd outage itself, not an unknown.
    Collector dcs;
    judge_dcs(s, t, dcs);
    const Verdict from_dcs = dcs.finish();
    if (from_dcs.status == Status::critical) {
      Verdict v = from_dcs;
      v.reasons.push_back("/cluster cannot be read: " + problem);
      return v;
    }
    out.add(Status::unknown, problem);
    return out.finish();
  }
  const Cluster& c = *s.cluster;
  judge_leaders(c, out);
  for (const auto& m : c.members) {
    if (!is_leader(m)) judge_replica(m, t, out);
  }
  if (c.members.size() < t.members) {
    out.add(Status::critical, std::to_string(c.members.size()) + " member(s), " + std::to_string(t.members) + " expected");
  }
  judge_timelines(c, out);
  judge_dcs(s, t, out);
  if (c.paused) out.add(Status::warning, "cluster paused (maintenance mode): no automatic failover");
  return out.finish();
}

std::string overview(const Cluster& c) {
  std::string leader = "no leader";
  std::size_t streaming = 0;
  double worst_lag = 0;
  for (const auto& m : c.members) {
    if (is_leader(m)) {
      leader = "leader " + m.name + (m.timeline ? " (timeline " + std::to_string(*m.timeline) + ")" : std::string());
    } else {
      if (is_replicating(m)) ++streaming;
      worst_lag = std::max(worst_lag, m.lag_bytes.value_or(0));
    }
  }
  return leader + ", " + std::to_string(streaming) + (streaming == 1 ? " replica" : " replicas") + " streaming, lag " +
         format_bytes(worst_lag);
}

}  // namespace hsops::checks::patroni
