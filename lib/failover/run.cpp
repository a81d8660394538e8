// Lock, look, refuse or run, report. The report is JSON under <state_dir>/reports/ (and
// last-drill.json for drills, read by status and the metrics, and last-good-drill.json for a
// drill that succeeded), never holding a secret.
#include "failover/run.h"

#include <fstream>
#include <vector>

#include "failover/actions.h"
#include "failover/preconditions.h"
#include "failover/run_lock.h"
#include "failover/topology_state.h"

namespace hsops::failover {
namespace {

// Roles for promote: the standby is the node that answers in recovery; the primary may be gone.
std::optional<Roles> promote_roles(const Playbook& p, const TopologyState& t) {
  for (const auto& d : t.databases) {
    if (d.in_recovery == true) {
      Roles r;
      r.standby = d.node;
      r.primary = d.node == p.primary ? p.standby : p.primary;
      r.active = t.roles ? t.roles->active : p.active;
      r.spare = r.active == p.active ? p.spare : p.active;
      return r;
    }
  }
  return std::nullopt;
}

// RTO: from the first step that stops writes (homeserver.stop or pg.fence) to the end of the
// last successful probe.
std::optional<double> rto(const RunReport& report) {
  std::optional<double> from, to;
  for (const auto& s : report.steps) {
    if (!from && s.state != StepState::skipped && (s.type == "homeserver.stop" || s.type == "pg.fence")) from = s.started_at;
    if (s.type == "probe" && s.state == StepState::done) to = s.started_at + s.seconds;
  }
  if (!from || !to) return std::nullopt;
  return *to - *from;
}

Result<std::filesystem::path> write_report(const Playbook& p, const RunReport& report, std::optional<double> rto_seconds) {
  std::error_code ec;
  std::filesystem::create_directories(p.state_dir / "reports", ec);
  auto json = to_json(report);
  json["deployment"] = p.name;
  json["rto_seconds"] = rto_seconds ? nlohmann::json(*rto_seconds) : nlohmann::json(nullptr);
  const auto file = p.state_dir / "reports" / (report.run_id + ".json");
  std::vector<std::filesystem::path> targets{file};
  if (report.operation == "drill") targets.push_back(p.state_dir / "last-drill.json");
  // The failover_drill check judges the age of the last good drill, which a failed drill
  // after it must not hide.
  if (report.operation == "drill" && report.ok) targets.push_back(p.state_dir / "last-good-drill.json");
  for (const auto& target : targets) {
    const auto tmp = target.string() + ".tmp";
    std::ofstream out(tmp, std::ios::trunc);
    out << json.dump(2) << '\n';
    out.close();
    if (!out || std::rename(tmp.c_str(), target.c_str()) != 0) return Error{ErrorKind::io, target.string() + ": cannot write the report"};
  }
  return file;
}

}  // namespace

Result<ExecuteResult> execute(const Playbook& p, const ExecuteOptions& o, const Clock& clock) {
  auto lock = RunLock::take(p.state_dir / "lock", o.operation);
  if (!lock) return lock.error();
  ExecuteResult result;
  const auto state = observe(p, o.observe_timeout);
  auto pre = check_preconditions(o.operation, p, state, o.force);
  result.warnings = pre.warnings;
  const std::optional<Roles> roles = o.operation == "promote" ? promote_roles(p, state) : state.roles;
  if (!roles) pre.refusals.push_back(state.roles_problem.empty() ? "no node to act on" : state.roles_problem);
  if (!pre.refusals.empty()) {
    result.refusals = pre.refusals;
    return result;
  }
  auto journal = Journal::open(p.state_dir / "journal.jsonl");
  if (!journal) return journal.error();
  RunState run_state;
  const ActionFactory make = [&](const StepSpec& s, const Roles& r) {
    return make_action(s, r, p, run_state, &clock, &o.interaction);
  };
  RunOptions run_options{new_run_id(clock), o.operation, o.progress};
  auto report = run_operation(p.operations.at(o.operation), *roles, journal.value(), make, clock, run_options);
  result.rto_seconds = rto(report);
  auto written = write_report(p, report, result.rto_seconds);
  if (!written) return written.error();
  result.report_file = written.value();
  result.report = std::move(report);
  return result;
}

}  // namespace hsops::failover
