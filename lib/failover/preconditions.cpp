// The refusal rules of switchover, drill and promote, as plain functions of observed state.
#include "failover/preconditions.h"

#include "core/units.h"

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
  } else {
    out.warnings.push_back("the standby's lag is unknown (the primary does not answer): whatever it had not received is lost");
  }
}

}  // namespace

Preconditions check_preconditions(const std::string& operation, const Playbook& playbook, const TopologyState& state,
                                  bool force) {
  Preconditions out;
  if (operation == "promote") {
    promote_rules(playbook, state, force, out);
  } else {
    switchover_rules(playbook, state, out);
  }
  return out;
}

}  // namespace hsops::failover
