#include "checks/patroni/report.h"

#include <cmath>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::patroni {
namespace {

void add_cluster(const Cluster& c, std::vector<Measurement>& out) {
  bool leader = false;
  for (const auto& m : c.members) leader = leader || is_leader(m);
  out.push_back(measurement("leader_present", leader ? 1 : 0, "", "hsops_patroni_leader_present",
                            "1 if some Patroni member holds the leader role, else 0 (nothing accepts writes)"));
  out.push_back(measurement("members", static_cast<double>(c.members.size()), "", "hsops_patroni_members",
                            "Members in the Patroni cluster as GET /cluster lists them"));
  out.push_back(measurement("paused", c.paused ? 1 : 0, "", "hsops_patroni_paused",
                            "1 while the Patroni cluster is paused (maintenance mode: no automatic failover), else 0"));
  for (const auto& m : c.members) {
    const std::map<std::string, std::string> labels{{"member", m.name}};
    if (!is_leader(m)) {
      out.push_back(measurement(m.name + " streaming", is_replicating(m) ? 1 : 0, "", "hsops_patroni_member_streaming",
                                "1 if the Patroni replica's PostgreSQL follows the leader (running/streaming), else 0",
                                labels));
      if (m.lag_bytes) {
        out.push_back(measurement(m.name + " lag", *m.lag_bytes, "B", "hsops_patroni_member_lag_bytes",
                                  "Bytes of WAL the Patroni replica is behind the leader, as Patroni reports it", labels));
      }
    }
    if (m.timeline) {
      out.push_back(measurement(m.name + " timeline", static_cast<double>(*m.timeline), "", "hsops_patroni_member_timeline",
                                "PostgreSQL timeline of the Patroni member (members that follow each other agree)",
                                labels));
    }
  }
}

void add_dcs(const Snapshot& s, std::vector<Measurement>& out) {
  for (const auto& api : s.apis) {
    const auto age = dcs_age(api, s.now);
    if (!age) continue;
    const std::string member = api.member.empty() ? api.url : api.member;
    out.push_back(measurement(member + " dcs_age", std::floor(*age), "s", "hsops_patroni_member_dcs_last_seen_seconds",
                              "Seconds since the Patroni member last reached its DCS (etcd), from its dcs_last_seen",
                              {{"member", member}}));
  }
}

void add_details(const Snapshot& s, std::vector<std::string>& out) {
  if (s.cluster) {
    out.push_back("cluster as " + s.cluster_source + " reports it" + (s.cluster->paused ? " (paused)" : ""));
    for (const auto& m : s.cluster->members) {
      std::string line = "member " + m.name + ": " + m.role + ", " + m.state;
      if (m.timeline) line += ", timeline " + std::to_string(*m.timeline);
      if (m.lag_bytes) line += ", lag " + format_bytes(*m.lag_bytes);
      if (m.lag_unknown) line += ", lag unknown";
      out.push_back(line);
    }
  }
  for (const auto& api : s.apis) {
    const auto age = dcs_age(api, s.now);
    std::string line = "api " + api.url + (api.member.empty() ? "" : " (" + api.member + ")") + ": ";
    if (!api.error.empty()) line += "no answer: " + api.error;
    else if (age) line += "last reached the DCS " + format_duration(*age) + " ago";
    else line += "answers, reports no dcs_last_seen";
    out.push_back(line);
  }
}

}  // namespace

CheckResult build_result(const Snapshot& s, const Thresholds& t) {
  CheckResult out;
  out.check = "patroni";
  const Verdict v = judge(s, t);
  out.status = v.status;
  std::string summary;
  for (const auto& reason : v.reasons) summary += (summary.empty() ? "" : "; ") + reason;
  if (s.cluster) {
    const std::string figures = overview(*s.cluster);
    summary = summary.empty() ? figures : summary + " (" + figures + ")";
    add_cluster(*s.cluster, out.measurements);
  }
  out.summary = summary;
  add_dcs(s, out.measurements);
  add_details(s, out.details);
  if (v.status != Status::ok) {
    out.details.push_back("advice: `patronictl -c /etc/patroni/config.yml list` shows the same view; "
                          "`etcdctl endpoint health` checks etcd (playbooks/runbooks/patroni.md)");
  }
  return out;
}

}  // namespace hsops::checks::patroni
