// Read-only queries only (pg_is_in_recovery, LSN functions, pg_stat_replication) and HTTP GETs,
// each under the timeout; an unreachable node is a state to report, not an error.
#include "failover/topology_state.h"

#include "core/clock.h"
#include "core/units.h"
#include "failover/haproxy_runtime.h"
#include "failover/patroni_api.h"
#include "net/http.h"
#include "pg/connection.h"

namespace hsops::failover {
namespace {

pg::Target with_timeout(pg::Target t, Millis timeout) {
  t.options.connect_timeout = std::min(t.options.connect_timeout, timeout);
  t.options.statement_timeout = std::min(t.options.statement_timeout, timeout);
  t.options.application_name = "hsops-failover";
  return t;
}

DatabaseState observe_database(const DatabaseNode& node, Millis timeout) {
  DatabaseState s;
  s.node = node.name;
  auto db = pg::connect(with_timeout(node.target, timeout));
  if (!db) {
    s.error = db.error().message;
    return s;
  }
  auto rows = db.value().query(
      "SELECT pg_is_in_recovery() AS standby, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text "
      "ELSE pg_current_wal_lsn()::text END AS lsn");
  if (!rows || rows->empty()) {
    s.error = rows ? "no answer to pg_is_in_recovery()" : rows.error().message;
    return s;
  }
  s.in_recovery = rows->at(0, "standby") == pg::Value("t");
  s.wal_lsn = rows->at(0, "lsn").value_or("");
  return s;
}

std::optional<ReplicationState> observe_replication(const DatabaseNode& primary, Millis timeout) {
  auto db = pg::connect(with_timeout(primary.target, timeout));
  if (!db) return std::nullopt;
  // A playbook has one standby: the oldest walsender is its stream.
  auto rows = db.value().query(
      "SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag FROM pg_stat_replication "
      "ORDER BY backend_start LIMIT 1");
  if (!rows) return std::nullopt;
  ReplicationState r;
  if (rows->empty()) return r;  // not connected
  r.state = rows->at(0, "state").value_or("");
  if (const auto& lag = rows->at(0, "lag")) r.lag_bytes = std::stod(*lag);
  return r;
}

HomeserverState observe_homeserver(const HomeserverNode& node, Millis timeout) {
  HomeserverState s;
  s.node = node.name;
  auto r = net::get(node.url + "/_matrix/client/versions", net::Deadlines{std::min(timeout, Millis(3000)), timeout});
  if (!r) {
    s.error = r.error().message;
  } else if (r->status != 200) {
    s.error = "HTTP " + std::to_string(r->status);
  } else {
    s.up = true;
  }
  return s;
}

std::optional<RouteState> observe_route(const Playbook& p, Millis timeout) {
  if (!p.route.haproxy) return std::nullopt;
  const auto& h = *p.route.haproxy;
  RouteState r;
  auto servers = haproxy_servers(h.socket, h.backend, timeout);
  if (!servers) {
    r.error = servers.error().message;
    return r;
  }
  for (const auto& [node, server] : h.servers) {
    std::string status = "not in backend " + h.backend;
    for (const auto& s : servers.value()) {
      if (s.name == server) status = s.status;
    }
    r.servers.emplace_back(node, status);
  }
  return r;
}

// The homeserver clients reach: per the route when it says (one server UP), else the one that
// runs, else the playbook's.
std::string serving(const Playbook& p, const TopologyState& t) {
  if (t.route) {
    std::vector<std::string> up;
    for (const auto& [node, status] : t.route->servers) {
      if (status.rfind("UP", 0) == 0) up.push_back(node);
    }
    if (up.size() == 1) return up.front();
  }
  int running = 0;
  std::string last;
  for (const auto& h : t.homeservers) {
    if (h.up) {
      ++running;
      last = h.node;
    }
  }
  return running == 1 ? last : p.active;
}

// Roles from /cluster: the running leader is the primary. The databases' recovery state is
// Patroni's (leader: not in recovery; a replica: in recovery), so resume and rollback judge
// with the same view.
void observe_patroni(const Playbook& p, Millis timeout, TopologyState& t) {
  PatroniState ps;
  auto cluster = read_patroni_cluster(p.patroni, timeout, &ps.source);
  if (!cluster) ps.error = cluster.error().message;
  else ps.cluster = std::move(cluster).value();
  for (const auto& [name, node] : p.databases) {
    DatabaseState d;
    d.node = name;
    const checks::patroni::Member* m = nullptr;
    if (ps.cluster) {
      for (const auto& member : ps.cluster->members) {
        if (member.name == name) m = &member;
      }
    }
    if (m == nullptr) d.error = ps.cluster ? "not a member of the Patroni cluster" : ps.error;
    else if (m->state == "running" || m->state == "streaming") d.in_recovery = !checks::patroni::is_leader(*m);
    else d.error = "Patroni: " + m->role + ", " + m->state;
    t.databases.push_back(std::move(d));
  }
  const std::string leader = ps.cluster ? patroni_leader(*ps.cluster) : "";
  if (!ps.cluster) {
    t.roles_problem = "Patroni's /cluster cannot be read: " + ps.error;
    if (patroni_rest_answers(p.patroni, timeout)) {
      t.roles_problem += ". The members' REST APIs answer, so Patroni cannot read its DCS (etcd down or unreachable?): "
                         "no switchover and no failover is possible until it is back (`hsops check patroni` says more)";
    }
  } else if (leader.empty()) {
    t.roles_problem = "Patroni shows no single running leader";
  } else if (p.databases.count(leader) == 0) {
    t.roles_problem = "Patroni's leader " + leader + " is not one of the playbook's database nodes (names must be Patroni member names)";
  } else {
    Roles roles;
    roles.primary = leader;
    roles.standby = leader == p.primary ? p.standby : p.primary;
    roles.active = serving(p, t);
    roles.spare = roles.active == p.active ? p.spare : p.active;
    t.roles = roles;
  }
  t.patroni = std::move(ps);
}

}  // namespace

TopologyState observe(const Playbook& p, Millis timeout) {
  TopologyState t;
  if (p.backend == Backend::patroni) {
    for (const auto& [name, node] : p.homeservers) t.homeservers.push_back(observe_homeserver(node, timeout));
    t.route = observe_route(p, timeout);
    observe_patroni(p, timeout, t);
    return t;
  }
  std::vector<std::string> primaries;
  for (const auto& [name, node] : p.databases) {
    t.databases.push_back(observe_database(node, timeout));
    if (t.databases.back().in_recovery == false) primaries.push_back(name);
  }
  for (const auto& [name, node] : p.homeservers) t.homeservers.push_back(observe_homeserver(node, timeout));
  t.route = observe_route(p, timeout);
  if (primaries.size() == 2) {
    t.roles_problem = "both " + primaries[0] + " and " + primaries[1] + " accept writes (SPLIT BRAIN): stop one now";
  } else if (primaries.empty()) {
    t.roles_problem = "no PostgreSQL node is primary (unreachable or both in recovery)";
  } else {
    Roles roles;
    roles.primary = primaries.front();
    roles.standby = roles.primary == p.primary ? p.standby : p.primary;
    roles.active = serving(p, t);
    roles.spare = roles.active == p.active ? p.spare : p.active;
    t.roles = roles;
    t.replication = observe_replication(p.databases.at(roles.primary), timeout);
  }
  t.last_seen = load_last_seen(p.state_dir);
  if (primaries.size() == 1) {
    for (const auto& d : t.databases) {
      if (d.node != primaries.front() || !parse_lsn(d.wal_lsn)) continue;
      LastSeenPrimary seen{d.node, d.wal_lsn, unix_seconds(std::chrono::system_clock::now())};
      // Best effort: without the file a later promote only says the lag is unknown.
      if (save_last_seen(p.state_dir, seen)) t.last_seen = seen;
    }
  }
  return t;
}

namespace {

// The /cluster members: role, state, timeline, lag; and whether the cluster is paused.
void describe_patroni(const PatroniState& ps, std::vector<std::string>& out) {
  if (!ps.cluster) {
    out.push_back("patroni: /cluster unreadable: " + ps.error);
    return;
  }
  out.push_back(std::string("patroni (") + net::redact_url(ps.source) + "): " + checks::patroni::overview(*ps.cluster) +
                (ps.cluster->paused ? "; PAUSED (maintenance mode: no automatic failover, no switchover)" : "; not paused"));
  for (const auto& m : ps.cluster->members) {
    std::string line = "patroni member " + m.name + ": " + m.role + ", " + m.state;
    line += ", timeline " + (m.timeline ? std::to_string(*m.timeline) : std::string("unknown"));
    if (!checks::patroni::is_leader(m)) {
      line += ", lag " + (m.lag_unknown || !m.lag_bytes ? std::string("unknown") : format_bytes(*m.lag_bytes));
    }
    out.push_back(line);
  }
}

}  // namespace

std::vector<std::string> describe(const TopologyState& t) {
  std::vector<std::string> out;
  if (t.patroni) {
    describe_patroni(*t.patroni, out);
    if (!t.roles) out.push_back("roles: " + t.roles_problem);
  }
  for (const auto& d : t.databases) {
    if (t.patroni) break;  // Patroni's members above say it
    if (!d.in_recovery) {
      out.push_back("database " + d.node + ": unreachable (" + d.error + ")");
    } else {
      out.push_back("database " + d.node + ": " + (*d.in_recovery ? "standby, replayed to " : "primary, at ") + d.wal_lsn);
    }
  }
  if (t.patroni) {
    // nothing: replication is in the members' lines
  } else if (t.roles) {
    std::string line = "replication " + t.roles->primary + " -> " + t.roles->standby + ": ";
    if (!t.replication) {
      line += "unknown (pg_stat_replication unreadable: grant pg_monitor)";
    } else if (t.replication->state.empty()) {
      line += "NOT CONNECTED";
    } else {
      line += t.replication->state;
      if (t.replication->lag_bytes) line += ", " + format_bytes(*t.replication->lag_bytes) + " behind";
    }
    out.push_back(line);
  } else {
    out.push_back("roles: " + t.roles_problem);
  }
  if (t.route) {
    std::string line = "route (haproxy): ";
    if (!t.route->error.empty()) {
      line += "unknown: " + t.route->error;
    } else {
      for (std::size_t i = 0; i < t.route->servers.size(); ++i) {
        line += (i == 0 ? "" : ", ") + t.route->servers[i].first + " " + t.route->servers[i].second;
      }
    }
    out.push_back(line);
  }
  for (const auto& h : t.homeservers) {
    out.push_back("homeserver " + h.node + ": " + (h.up ? "up" : "down (" + h.error + ")") +
                  (t.roles && t.roles->active == h.node ? " [active]" : ""));
  }
  return out;
}

}  // namespace hsops::failover
