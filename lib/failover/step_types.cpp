// The step table and the standard sequences. The order of the standard switchover is the one
// repmgr and Patroni use (../shared/reference/postgres-failover.md 3.7): stop writers, fence,
// prove the standby has every byte, promote, verify, then move the homeserver and the route.
#include "failover/step_types.h"

#include "core/units.h"

namespace hsops::failover {
namespace {

using std::chrono::milliseconds;

const std::vector<StepType> kTypes{
    {"pg.check_replication", Acts::database, "standby",
     "refuse unless the standby is streaming from the primary and its lag is within the limit", "", milliseconds(10000),
     {"max_lag"}},
    {"pg.checkpoint", Acts::database, "primary", "CHECKPOINT, so the shutdown that follows is short", "",
     milliseconds(120000), {}},
    {"pg.fence", Acts::database, "primary",
     "read the last WAL position, then stop the server; if it cannot be stopped, make it read-only "
     "(default_transaction_read_only + reload) and end every session, and say so",
     "start it again as it was", milliseconds(60000), {}},
    {"pg.wait_replay", Acts::database, "standby",
     "wait until the standby has replayed the WAL position the old primary last wrote (zero loss)", "",
     milliseconds(60000), {}},
    {"pg.promote", Acts::database, "standby", "pg_promote(true, deadline): end recovery, new timeline", "",
     milliseconds(60000), {}},
    {"pg.verify_primary", Acts::database, "standby", "pg_is_in_recovery() is false and a test write commits", "",
     milliseconds(10000), {}},
    {"pg.reattach", Acts::database, "primary",
     "make the old primary a standby of the new one: pg_rewind when it diverged, standby.signal, "
     "primary_conninfo and a replication slot, then start it",
     "", milliseconds(300000), {}},
    {"homeserver.stop", Acts::homeserver, "active", "stop the homeserver (no writes while the database moves)",
     "start it again", milliseconds(60000), {}},
    {"homeserver.start", Acts::homeserver, "spare", "start the homeserver and wait until /_matrix/client/versions answers",
     "stop it again", milliseconds(120000), {}},
    {"route.switch", Acts::homeserver, "spare", "send clients to the homeserver (haproxy runtime API, or the exec route)",
     "send them back", milliseconds(30000), {}},
    {"probe", Acts::nothing, "", "the end-to-end probe through the public route: the proof of service", "",
     milliseconds(60000), {}},
    {"marker.write", Acts::nothing, "",
     "send a marker message through the public route before anything moves (its room and event go to "
     "<state_dir>/drill-marker.json)",
     "", milliseconds(30000), {}},
    {"marker.check", Acts::nothing, "",
     "read the marker message back through the public route: what was written before the switch is still there", "",
     milliseconds(30000), {}},
    {"exec", Acts::nothing, "", "run a command (argv) under the deadline; its output goes into the report", "",
     milliseconds(60000), {"command", "undo_command"}},
    {"wait", Acts::nothing, "", "wait a fixed time", "", milliseconds(60000), {"for"}},
    {"patroni.check", Acts::database, "standby",
     "refuse unless Patroni's /cluster shows one running leader, this candidate replicating within "
     "switchover_max_lag, and the cluster not paused (maintenance mode)",
     "", milliseconds(30000), {}},
    {"patroni.switchover", Acts::database, "standby",
     "ask Patroni to switch over to this candidate (POST /switchover on the leader's REST API), then wait until "
     "/cluster shows it leading and the old leader back as a running replica; no undo: switching back is a second "
     "switchover",
     "", milliseconds(120000), {}},
    {"confirm", Acts::nothing, "", "ask the operator to type yes (--yes skips it: cron and timers)", "",
     milliseconds(600000), {"prompt"}},
};

StepSpec step(std::string type, std::string role = "") {
  StepSpec s;
  s.type = std::move(type);
  const StepType* t = find_step_type(s.type);
  s.node_role = role.empty() && t != nullptr ? std::string(t->default_role) : std::move(role);
  if (t != nullptr) s.deadline = t->deadline;
  return s;
}

// With Patroni, Patroni fences, waits for the candidate and promotes (its own switchover);
// hsops only proves the new leader takes writes through the playbook's conninfo.
std::vector<StepSpec> patroni_switchover_steps() {
  return {step("patroni.check"),    step("confirm"),      step("homeserver.stop"), step("patroni.switchover"),
          step("pg.verify_primary"), step("homeserver.start"), step("route.switch"), step("probe")};
}

// After Patroni has elected a new leader by itself (`hsops failover follow`): the homeserver
// moves after it. The database is already moved, so there is nothing to check or fence; the
// new leader must take a write before Synapse starts, since Synapse exits on a read-only one.
std::vector<StepSpec> patroni_follow_steps() {
  return {step("homeserver.stop"), step("pg.verify_primary", "primary"), step("homeserver.start"),
          step("route.switch"), step("probe")};
}

// A drill: there and back with the roles swapped; the markers prove what was written before
// the switch survives. Patroni re-attaches the old leader itself, so there is no reattach step.
std::vector<StepSpec> drill_steps(std::vector<StepSpec> there, bool reattach);

std::vector<StepSpec> switchover_steps() {
  return {step("pg.check_replication"), step("confirm"),       step("homeserver.stop"), step("pg.checkpoint"),
          step("pg.fence"),             step("pg.wait_replay"), step("pg.promote"),      step("pg.verify_primary"),
          step("homeserver.start"),     step("route.switch"),   step("probe")};
}

std::vector<StepSpec> drill_steps(std::vector<StepSpec> there, bool reattach) {
  there.erase(there.begin() + 1);  // a drill is unattended: no confirm
  // The proof is also that what was written before the switch is still there.
  there.insert(there.begin() + 1, step("marker.write"));
  there.push_back(step("marker.check"));
  std::vector<StepSpec> steps = there;
  if (reattach) steps.push_back(step("pg.reattach"));
  for (auto s : there) {
    s.params["half"] = "back";  // the second half runs with the roles swapped ("back:" in plan)
    steps.push_back(std::move(s));
  }
  // And the node fenced on the way back follows again: a drill leaves a standby streaming.
  if (reattach) {
    auto follow = step("pg.reattach");
    follow.params["half"] = "back";
    steps.push_back(std::move(follow));
  }
  return steps;
}

}  // namespace

std::string backend_refusal(std::string_view type, Backend backend) {
  const bool patroni_step = type.rfind("patroni.", 0) == 0;
  if (backend == Backend::native) {
    return patroni_step ? std::string(type) + " needs `database.backend: patroni`" : "";
  }
  // pg.verify_primary only reads and writes through the conninfo: it moves nothing.
  if (type.rfind("pg.", 0) == 0 && type != "pg.verify_primary") {
    return std::string(type) + " is not allowed with `database.backend: patroni`: Patroni owns the leadership, and "
           "hsops never fences, promotes or re-attaches behind its back (use patroni.switchover)";
  }
  return "";
}

const std::vector<StepType>& step_types() { return kTypes; }

const StepType* find_step_type(std::string_view name) {
  for (const auto& t : kTypes) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string step_type_names() {
  std::string out;
  for (const auto& t : kTypes) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

std::vector<StepSpec> default_steps(std::string_view operation, Backend backend) {
  if (backend == Backend::patroni) {
    if (operation == "switchover") return patroni_switchover_steps();
    if (operation == "drill") return drill_steps(patroni_switchover_steps(), false);
    if (operation == "follow") return patroni_follow_steps();
    return {};
  }
  if (operation == "switchover") return switchover_steps();
  if (operation == "promote") {
    // The primary is unreachable: fencing it is still required (stop through its host or an
    // exec fence); no replay wait is possible beyond what the standby received.
    return {step("confirm"), step("homeserver.stop"), step("pg.fence"), step("pg.promote"), step("pg.verify_primary"),
            step("homeserver.start"), step("route.switch"), step("probe")};
  }
  if (operation == "drill") return drill_steps(switchover_steps(), true);
  return {};
}

std::string Roles::node_for(std::string_view role) const {
  if (role == "primary") return primary;
  if (role == "standby") return standby;
  if (role == "active") return active;
  if (role == "spare") return spare;
  return "";
}

std::string describe_step(const StepSpec& s, const Playbook& playbook, const Roles& roles) {
  const StepType* t = find_step_type(s.type);
  if (t == nullptr) return s.type + ": unknown step type";
  const bool back = s.params.count("half") != 0 && s.params.at("half") == "back";
  const Roles now = back ? roles.swapped() : roles;
  std::string out = (back ? "back: " : "") + s.type;
  const std::string node = now.node_for(s.node_role);
  if (!node.empty()) out += " " + node + " (" + s.node_role + ")";
  out += ": " + std::string(t->what);
  if (s.type == "pg.fence" && playbook.databases.count(node) != 0) {
    out += " [stop: `" + playbook.databases.at(node).stop.text() + "`]";
  } else if ((s.type == "homeserver.stop" || s.type == "homeserver.start") && playbook.homeservers.count(node) != 0) {
    const auto& hs = playbook.homeservers.at(node);
    out += " [`" + (s.type == "homeserver.stop" ? hs.stop.text() : hs.start.text()) + "`]";
  } else if (s.type == "exec" && s.params.count("command") != 0) {
    out += " [`" + s.params.at("command") + "`]";
  }
  if (!t->undo.empty()) out += "; undo: " + std::string(t->undo);
  out += " (deadline " + format_duration(std::chrono::duration<double>(s.deadline).count()) + ")";
  return out;
}

}  // namespace hsops::failover
