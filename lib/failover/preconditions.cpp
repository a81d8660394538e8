// The refusal rules of switchover, drill and promote, as plain functions of observed state.
#include "failover/preconditions.h"

#include "core/units.h"
#include "failover/patroni_api.h"
#include "failover/step_types.h"

namespace hsops::failover {
namespace {

void switchover_rules(const Playbook& p, const TopologyState& t, Preconditions& out) {
  if (!t.roles) {
    out.refusals.push_back(t.roles_problem);
    return;
  }
  const auto& r = t.roles;
  if (!t.replication) {
    out.refusals.push_back("cannot read pg_stat_replication on " + r->primary + ": grant pg_monitor to the playbook's role");
    return;
  }
  if (t.replication->state.empty()) {
    out.refusals.push_back("standby " + r->standby + " is not connected to " + r->primary +
                           ": a switchover now would lose what it has not received; start it and let it catch up");
    return;
  }
  if (t.replication->state != "streaming") {
    out.refusals.push_back("standby " + r->standby + " is " + t.replication->state + ", not streaming: wait until it catches up");
  }
  if (t.replication->lag_bytes && *t.replication->lag_bytes > static_cast<double>(p.switchover_max_lag)) {
    out.refusals.push_back("standby " + r->standby + " is " + format_bytes(*t.replication->lag_bytes) +
                           " behind, above switchover_max_lag (" + format_bytes(static_cast<double>(p.switchover_max_lag)) + ")");
  }
  for (const auto& h : t.homeservers) {
    if (h.node == r->active && !h.up) out.warnings.push_back("the active homeserver " + h.node + " is down already");
  }
}

// The primary's last seen position minus what the standby replayed; nullopt when unknown.
std::optional<double> last_known_lag(const TopologyState& t, const DatabaseState& standby) {
  if (!t.last_seen) return std::nullopt;
  const auto primary = parse_lsn(t.last_seen->wal_lsn), replayed = parse_lsn(standby.wal_lsn);
  if (!primary || !replayed) return std::nullopt;
  return static_cast<double>(*primary) - static_cast<double>(*replayed);
}

void promote_rules(const Playbook& p, const TopologyState& t, bool force, Preconditions& out) {
  // The primary may be unreachable: the standby is whichever node answers in recovery.
  const DatabaseState* standby = nullptr;
  int primaries = 0;
  for (const auto& d : t.databases) {
    if (d.in_recovery == true) standby = &d;
    if (d.in_recovery == false) ++primaries;
  }
  if (primaries > 0 && !force) {
    out.refusals.push_back("a primary answers (" + (t.roles ? t.roles->primary : std::string("?")) +
                           "): use `hsops failover switchover` for a planned move; promote is for a primary that is gone");
  }
  if (standby == nullptr) {
    out.refusals.push_back("no standby answers: there is nothing to promote");
    return;
  }
  // The lag last seen (from the primary, when it still answers) bounds what may be lost.
  if (t.replication && t.replication->lag_bytes) {
    const double lag = *t.replication->lag_bytes;
    if (lag > static_cast<double>(p.maximum_lag_on_failover)) {
      const std::string loss = "the standby was " + format_bytes(lag) + " behind: up to that much WAL may be lost";
      if (force) out.warnings.push_back(loss + " (--force)");
      else out.refusals.push_back(loss + ", above maximum_lag_on_failover (" +
                                  format_bytes(static_cast<double>(p.maximum_lag_on_failover)) + "); --force to accept it");
    }
  } else if (auto lag = last_known_lag(t, *standby)) {
    const std::string seen = "the primary " + t.last_seen->node + " was last seen at " + t.last_seen->wal_lsn + " (" +
                             format_utc(t.last_seen->at) + "), the standby " + standby->node + " has replayed " + standby->wal_lsn;
    if (*lag <= 0) {
      out.warnings.push_back(seen + ": it has all of that; what the primary wrote after it is lost");
    } else if (*lag > static_cast<double>(p.maximum_lag_on_failover)) {
      const std::string loss = seen + ": at least " + format_bytes(*lag) + " of WAL would be lost";
      if (force) out.warnings.push_back(loss + " (--force)");
      else out.refusals.push_back(loss + ", above maximum_lag_on_failover (" +
                                  format_bytes(static_cast<double>(p.maximum_lag_on_failover)) + "); --force to accept it");
    } else {
      out.warnings.push_back(seen + ": at least " + format_bytes(*lag) + " of WAL is lost");
    }
  } else {
    out.warnings.push_back("the standby's lag is unknown (the primary does not answer and no hsops failover command has "
                           "seen its position): whatever it had not received is lost");
  }
}

// With Patroni: its /cluster is the truth; the same rules as the patroni.check step.
void patroni_rules(const std::string& operation, const Playbook& p, const TopologyState& t, Preconditions& out) {
  if (operation == "promote") {
    out.refusals.emplace_back(kPatroniPromoteRefusal);
    return;
  }
  // follow runs after Patroni moved the leader: the old one may well be dead, so the
  // switchover's rules (a healthy candidate, a running leader to hand over) do not apply.
  if (operation == "follow") {
    if (!t.roles) out.refusals.push_back(t.roles_problem.empty() ? "Patroni's state is unknown" : t.roles_problem);
    return;
  }
  if (!t.roles || !t.patroni || !t.patroni->cluster) {
    out.refusals.push_back(t.roles_problem.empty() ? "Patroni's state is unknown" : t.roles_problem);
    if (t.patroni && t.patroni->cluster && t.patroni->cluster->paused) {
      out.refusals.push_back("the Patroni cluster is paused (maintenance mode)");
    }
    return;
  }
  for (auto& why : patroni_switchover_refusals(*t.patroni->cluster, t.roles->primary, t.roles->standby, p.switchover_max_lag)) {
    out.refusals.push_back(std::move(why));
  }
  for (const auto& h : t.homeservers) {
    if (h.node == t.roles->active && !h.up) out.warnings.push_back("the active homeserver " + h.node + " is down already");
  }
}

}  // namespace

Preconditions check_preconditions(const std::string& operation, const Playbook& playbook, const TopologyState& state,
                                  bool force) {
  Preconditions out;
  if (playbook.backend == Backend::patroni) {
    patroni_rules(operation, playbook, state, out);
  } else if (operation == "promote") {
    promote_rules(playbook, state, force, out);
  } else {
    switchover_rules(playbook, state, out);
  }
  return out;
}

}  // namespace hsops::failover
