// The patroni check's figures and verdict: does the Patroni cluster have exactly one leader,
// are the replicas streaming and close behind, and can every member still reach the DCS
// (etcd)? Automatic failover only works while all of that holds. Pure: no I/O, so every
// boundary is a unit test.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace hsops::checks::patroni {

// One entry of GET /cluster's "members" (patroni/utils.py cluster_as_json).
struct Member {
  std::string name;
  std::string role;                    // leader | standby_leader | sync_standby | replica | ...
  std::string state;                   // running | streaming | in archive recovery | stopped | ...
  std::string api_url;                 // http://host:8008/patroni
  std::optional<long long> timeline;   // absent until Patroni knows it
  std::optional<double> lag_bytes;     // replicas only; nullopt on the leader or when "unknown"
  bool lag_unknown = false;            // Patroni wrote "lag": "unknown" (no WAL position known)
};

// GET /cluster.
struct Cluster {
  std::vector<Member> members;
  bool paused = false;                 // "pause": true, maintenance mode
};

// What GET /patroni on one configured URL said (or why it said nothing).
struct MemberApi {
  std::string url;                     // as configured
  std::string member;                  // the member's name, matched through /cluster's api_url ("" = not matched)
  std::optional<double> dcs_last_seen; // unix seconds of the member's last successful DCS read
  std::string error;                   // non-empty: no usable answer
};

struct Snapshot {
  std::optional<Cluster> cluster;      // nullopt: no member answered /cluster usably
  std::string cluster_problem;         // why, when cluster is nullopt
  std::string cluster_source;          // the URL whose /cluster answer is `cluster`
  std::vector<MemberApi> apis;         // one per configured URL, in config order
  double now = 0;                      // unix seconds
};

struct Thresholds {
  // Patroni's own maximum_lag_on_failover default: above it a replica is no failover candidate.
  std::uint64_t warn_lag_bytes = 1ull << 20;
  std::uint64_t crit_lag_bytes = 16ull << 20;  // a whole WAL segment behind
  std::size_t members = 2;                     // expected member count
  // Patroni's default ttl: a leader that has not reached the DCS this long has lost its lock.
  std::chrono::seconds dcs_max_age{30};
};

struct Verdict {
  Status status = Status::ok;
  std::vector<std::string> reasons;    // the worst first; empty when OK
};

bool is_leader(const Member& m);
// A replica whose PostgreSQL follows the leader ("running" on Patroni before 3.0.4, "streaming" after).
bool is_replicating(const Member& m);
// Seconds since the member last reached the DCS (never negative); nullopt when not reported.
std::optional<double> dcs_age(const MemberApi& api, double now);

Verdict judge(const Snapshot& s, const Thresholds& t);

// "leader pg1 (timeline 2), 1 replica streaming, lag 0 B": the figures an OK line shows.
std::string overview(const Cluster& c);

}  // namespace hsops::checks::patroni
