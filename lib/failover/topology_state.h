// Who is what right now, read without changing anything: each PostgreSQL node's recovery
// state and WAL position, the standby's replication as the primary sees it, each homeserver's
// /_matrix/client/versions. `plan` checks preconditions with it, `status` prints it, and a run
// resolves its roles from it (the playbook's primary may be the standby after a switchover).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/patroni/verdict.h"
#include "failover/last_seen.h"
#include "failover/playbook.h"
#include "failover/step_types.h"

namespace hsops::failover {

struct DatabaseState {
  std::string node;
  std::optional<bool> in_recovery;  // nullopt: unreachable (see error)
  std::string wal_lsn;              // pg_current_wal_lsn() on a primary, last replayed on a standby
  std::string error;
};

// The standby's row in the primary's pg_stat_replication.
struct ReplicationState {
  std::string state;                // "streaming", "catchup", ... ("" = no row: not connected)
  std::optional<double> lag_bytes;  // primary's current LSN minus the standby's replay LSN
};

struct HomeserverState {
  std::string node;
  bool up = false;
  std::string error;
};

// The route's view when it is haproxy: each homeserver's server status.
struct RouteState {
  std::vector<std::pair<std::string, std::string>> servers;  // homeserver node -> "UP", "MAINT", ...
  std::string error;                                          // the runtime API did not answer
};

// backend patroni: the cluster as GET /cluster shows it (the source of the roles).
struct PatroniState {
  std::optional<checks::patroni::Cluster> cluster;
  std::string source;               // the REST URL that answered
  std::string error;                // why there is no cluster
};

struct TopologyState {
  std::vector<DatabaseState> databases;
  std::optional<Roles> roles;       // set when exactly one node is primary
  std::string roles_problem;        // otherwise why not: "both db1 and db2 accept writes (SPLIT BRAIN)"
  std::optional<ReplicationState> replication;
  std::vector<HomeserverState> homeservers;
  std::optional<RouteState> route;  // set for an haproxy route
  // The primary's position as last seen by an hsops failover command (this one included when
  // a primary answers): the last known lag of a standby whose primary is gone.
  std::optional<LastSeenPrimary> last_seen;
  std::optional<PatroniState> patroni;  // set for backend patroni
};

// With backend patroni the roles come from Patroni's /cluster (its leader is the primary), not
// from asking PostgreSQL: Patroni's view is the one that decides. Otherwise this also records the answering primary's position in <state_dir>/last-primary.json (hsops's own
// file; nothing on the servers changes).
TopologyState observe(const Playbook& playbook, Millis timeout);

// One line per fact for `plan` and `status`.
std::vector<std::string> describe(const TopologyState& state);

}  // namespace hsops::failover
