// Lock, look, refuse or run, report. The report is JSON under <state_dir>/reports/ (and
// last-drill.json for drills, read by status and the metrics, and last-good-drill.json for a
// drill that succeeded), never holding a secret.
#include "failover/run.h"

#include "failover/report_text.h"
#include "failover/rto.h"

#include <algorithm>
#include <fstream>
#include <vector>

#include "failover/actions.h"
#include "failover/preconditions.h"
#include "failover/resume.h"
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

// RTO: the first outage (lib/failover/rto.h); a drill's way back is reported beside it.
std::optional<double> rto(const RunReport& report) {
  const auto outages = outage_seconds(report);
  if (outages.empty()) return std::nullopt;
  return outages.front();
}

Result<std::filesystem::path> write_report(const Playbook& p, const RunReport& report, std::optional<double> rto_seconds) {
  std::error_code ec;
  std::filesystem::create_directories(p.state_dir / "reports", ec);
  auto json = to_json(report);
  json["deployment"] = p.name;
  json["rto_seconds"] = rto_seconds ? nlohmann::json(*rto_seconds) : nlohmann::json(nullptr);
  if (report.operation == "drill") {
    const auto outages = outage_seconds(report);
    json["rto_back_seconds"] = outages.size() > 1 ? nlohmann::json(outages[1]) : nlohmann::json(nullptr);
  }
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
  // The readable summary beside it, for mail from a timer and for people.
  const auto text = p.state_dir / "reports" / (report.run_id + ".txt");
  std::ofstream summary(text, std::ios::trunc);
  summary << summary_text(report, p.name);
  summary.close();
  if (!summary) return Error{ErrorKind::io, text.string() + ": cannot write the summary"};
  return file;
}

Result<ExecuteResult> finish(const Playbook& p, RunReport report) {
  ExecuteResult result;
  result.rto_seconds = rto(report);
  auto written = write_report(p, report, result.rto_seconds);
  if (!written) return written.error();
  result.report_file = written.value();
  result.report = std::move(report);
  return result;
}

InRecovery recovery_of(const TopologyState& state) {
  return [state](const std::string& node) -> std::optional<bool> {
    for (const auto& d : state.databases) {
      if (d.node == node) return d.in_recovery;
    }
    return std::nullopt;
  };
}

// After a rollback: exactly one primary, the old one, and it hands out a transaction id.
void verify_one_primary(const Playbook& p, const Roles& roles, const ExecuteOptions& o, RunReport& report) {
  const auto state = observe(p, o.observe_timeout);
  const auto recovering = recovery_of(state);
  RunState unused;
  StepSpec verify;
  verify.type = "pg.verify_primary";
  verify.node_role = "primary";
  auto action = make_action(verify, roles, p, unused);
  auto writable = action ? action->run(std::chrono::steady_clock::now() + o.observe_timeout)
                         : Result<ActionResult>(Error{ErrorKind::internal, "no verify action"});
  const auto other = recovering(roles.standby);
  if (writable && other != false) {
    report.left_state += "; " + roles.primary + " is the only primary and takes writes, " + roles.standby +
                         (other ? " is in recovery" : " does not answer");
    return;
  }
  report.ok = false;
  report.left_state += "; CHECK BY HAND: " + (writable ? roles.standby + " answers as a primary too (SPLIT BRAIN)"
                                                       : roles.primary + " is not a writable primary: " + writable.error().message);
}

// --resume / --rollback: the journal's interrupted run of this operation, refused when there
// is none, when it is another operation, or when going on is not safe.
Result<ExecuteResult> continue_interrupted(const Playbook& p, const ExecuteOptions& o, const Clock& clock) {
  const Operation& op = p.operations.at(o.operation);
  auto read = read_journal(p.state_dir / "journal.jsonl");
  if (!read) return read.error();
  ExecuteResult result;
  auto interrupted = find_interrupted(read->entries, op);
  if (!interrupted) {
    if (interrupted.error().kind != ErrorKind::state) return interrupted.error();
    result.refusals.push_back(interrupted.error().message);
    return result;
  }
  const auto state = observe(p, o.observe_timeout);
  if (o.mode == RunMode::rollback) {
    if (auto why = rollback_refusal(interrupted.value(), op, recovery_of(state))) result.refusals.push_back(*why);
  } else if (state.roles_problem.find("SPLIT BRAIN") != std::string::npos) {
    result.refusals.push_back(state.roles_problem);
  }
  if (!result.refusals.empty()) return result;
  auto journal = Journal::open(p.state_dir / "journal.jsonl");
  if (!journal) return journal.error();
  RunState run_state;
  const ActionFactory make = [&](const StepSpec& s, const Roles& r) {
    return make_action(s, r, p, run_state, &clock, &o.interaction);
  };
  RunOptions run_options{interrupted->run.run_id, o.operation, o.progress, &interrupted->run};
  if (o.mode == RunMode::resume) {
    return finish(p, run_operation(op, interrupted->roles, journal.value(), make, clock, run_options));
  }
  auto report = rollback_operation(op, interrupted.value(), journal.value(), make, clock, run_options);
  verify_one_primary(p, interrupted_roles(interrupted.value(), op), o, report);
  return finish(p, std::move(report));
}

}  // namespace

Result<ExecuteResult> execute(const Playbook& p, const ExecuteOptions& o, const Clock& clock) {
  auto lock = RunLock::take(p.state_dir / "lock", o.operation);
  if (!lock) return lock.error();
  if (o.mode != RunMode::fresh) return continue_interrupted(p, o, clock);
  ExecuteResult result;
  const auto state = observe(p, o.observe_timeout);
  auto pre = check_preconditions(o.operation, p, state, o.force);
  result.warnings = pre.warnings;
  const std::optional<Roles> roles = o.operation == "promote" ? promote_roles(p, state) : state.roles;
  const std::string no_roles = state.roles_problem.empty() ? "no node to act on" : state.roles_problem;
  if (!roles && std::find(pre.refusals.begin(), pre.refusals.end(), no_roles) == pre.refusals.end()) {
    pre.refusals.push_back(no_roles);
  }
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
  auto done = finish(p, run_operation(p.operations.at(o.operation), *roles, journal.value(), make, clock, run_options));
  if (done) done.value().warnings = result.warnings;
  return done;
}

}  // namespace hsops::failover
