// Finding the interrupted run, the rollback's safety rule (never two writable primaries) and the
// rollback itself: the same undos the engine runs after a failure, fed from the journal.
#include "failover/resume.h"

#include <algorithm>

namespace hsops::failover {
namespace {

Error refusal(std::string why) { return Error{ErrorKind::state, std::move(why)}; }

std::string step_name(const Operation& op, std::size_t i, const Roles& roles) {
  const std::string node = node_of(op.steps[i], roles);
  return "step " + std::to_string(i + 1) + "/" + std::to_string(op.steps.size()) + " " + op.steps[i].type +
         (node.empty() ? "" : " " + node);
}

// The last step the interrupted run acted on (0-based); its half is the one to finish or undo.
std::size_t last_acted(const RunSummary& run) {
  if (run.in_flight) return static_cast<std::size_t>(run.in_flight->step - 1);
  return run.steps.empty() ? 0 : static_cast<std::size_t>(run.steps.back().step - 1);
}

bool same_half(const Operation& op, std::size_t i, const RunSummary& run) {
  return back_half(op.steps[i]) == back_half(op.steps[std::min(last_acted(run), op.steps.size() - 1)]);
}

// A step whose latest entry says it acted, or may have (cut short while in flight), and whose
// undo was not done yet.
bool to_undo(const JournalEntry* e) {
  return e != nullptr && (e->state == StepState::done || e->state == StepState::started || e->state == StepState::undo_failed);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

// The refusal when the promotion of step `i` may have happened.
std::optional<std::string> promotion_refusal(const Interrupted& run, const Operation& op, std::size_t i,
                                             const InRecovery& in_recovery) {
  const std::string node = node_of(op.steps[i], run.roles);
  const std::string name = step_name(op, i, run.roles);
  const std::string tail = ": it is now the only primary, and starting the old one again would make two writable "
                           "primaries. `hsops failover " + op.name + " --resume` finishes the move.";
  const JournalEntry* e = run.run.step(static_cast<int>(i + 1));
  if (e != nullptr && e->state == StepState::done) return node + " was promoted (" + name + " done)" + tail;
  const auto recovering = in_recovery(node);
  if (recovering == false) return node + " is no longer in recovery (" + name + ")" + tail;
  if (e != nullptr && e->state == StepState::started && !recovering) {
    return node + " does not answer and its promotion (" + name + ") was cut short: it may be a primary now; "
                  "rollback refused until it answers (or use --resume)";
  }
  return std::nullopt;
}

}  // namespace

Result<Interrupted> find_interrupted(const std::vector<JournalEntry>& entries, const Operation& op) {
  auto run = last_run(entries);
  if (!run) return refusal("the journal has no failover run: nothing to resume or roll back");
  if (run->finished) {
    return refusal("the last run (" + run->operation + " " + run->run_id + ") finished: nothing to resume or roll back");
  }
  if (run->operation != op.name) {
    return refusal("the interrupted run " + run->run_id + " is a " + run->operation + ", not a " + op.name +
                   ": use `hsops failover " + run->operation + " --resume` or `--rollback`");
  }
  auto roles = roles_from_json(run->started_data.value("roles", nlohmann::json()));
  if (!roles) {
    return refusal("the interrupted run " + run->run_id + " recorded no roles (an older hsops wrote it): finish it by hand");
  }
  for (const auto& s : run->steps) {
    const auto i = static_cast<std::size_t>(s.step);
    if (i > op.steps.size() || op.steps[i - 1].type != s.type) {
      return refusal("the playbook's " + op.name + " steps changed since run " + run->run_id + " (its step " +
                     std::to_string(s.step) + " was " + s.type + "): use the playbook it ran with");
    }
  }
  return Interrupted{std::move(run).value(), *roles};
}

std::optional<std::string> rollback_refusal(const Interrupted& run, const Operation& op, const InRecovery& in_recovery) {
  for (std::size_t i = 0; i < op.steps.size(); ++i) {
    if (op.steps[i].type != "pg.promote" || !same_half(op, i, run.run)) continue;
    if (auto why = promotion_refusal(run, op, i, in_recovery)) return why;
  }
  return std::nullopt;
}

Roles interrupted_roles(const Interrupted& run, const Operation& op) {
  if (op.steps.empty()) return run.roles;
  return roles_for(op.steps[std::min(last_acted(run.run), op.steps.size() - 1)], run.roles);
}

RunReport rollback_operation(const Operation& op, const Interrupted& run, Journal& journal, const ActionFactory& make,
                             const Clock& clock, const RunOptions& options) {
  const auto started = clock.monotonic();
  RunReport report;
  report.run_id = run.run.run_id;
  report.operation = op.name;
  report.mode = "rollback";
  report.started_at = unix_seconds(clock.now());
  const auto write = [&](int step, const std::string& type, StepState state, const std::string& detail, nlohmann::json data) {
    (void)journal.append(JournalEntry{report.run_id, op.name, step, type, state, unix_seconds(clock.now()), detail, std::move(data)});
  };
  const auto say = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  write(0, "run", StepState::started, op.name + " rollback started", {{"roles", to_json(run.roles)}, {"rollback", true}});
  for (std::size_t i = 0; i < op.steps.size(); ++i) {
    const JournalEntry* e = run.run.step(static_cast<int>(i + 1));
    report.steps.push_back(StepReport{static_cast<int>(i + 1), op.steps[i].type, node_of(op.steps[i], run.roles),
                                      e != nullptr ? e->state : StepState::skipped, e != nullptr ? e->at : 0, 0, false,
                                      e != nullptr ? e->detail : ""});
  }
  std::vector<std::string> undone, not_undone;
  for (std::size_t k = op.steps.size(); k-- > 0;) {
    const JournalEntry* e = run.run.step(static_cast<int>(k + 1));
    if (!to_undo(e) || !same_half(op, k, run.run)) continue;
    const StepSpec& spec = op.steps[k];
    auto action = make(spec, roles_for(spec, run.roles));
    if (!action || !action->can_undo()) continue;
    const std::string name = step_name(op, k, run.roles);
    say("undo " + name);
    auto u = action->undo(ActionResult{e->detail, e->data}, clock.monotonic() + spec.deadline);
    StepReport& r = report.steps[k];
    r.state = u ? StepState::undone : StepState::undo_failed;
    r.detail = u ? u->detail : u.error().message;
    write(r.index, spec.type, r.state, r.detail, nlohmann::json::object());
    say("undo " + name + ": " + (u ? "done: " : "FAILED: ") + r.detail);
    (u ? undone : not_undone).push_back(spec.type + (r.node.empty() ? "" : " " + r.node) + (u ? "" : " (" + r.detail + ")"));
  }
  report.ok = not_undone.empty();
  report.left_state = "rolled back" + (undone.empty() ? std::string(": nothing to undo") : "; undone: " + joined(undone)) +
                      (not_undone.empty() ? "" : "; NOT undone, fix by hand: " + joined(not_undone));
  report.seconds = std::chrono::duration<double>(clock.monotonic() - started).count();
  write(0, "run", report.ok ? StepState::done : StepState::failed, report.left_state, nlohmann::json::object());
  return report;
}

std::vector<std::string> describe_interrupted(const RunSummary& run, const Operation* op) {
  const auto roles = roles_from_json(run.started_data.value("roles", nlohmann::json()));
  if (op == nullptr || !roles || op->steps.empty()) {
    // Still name what the journal says was in flight: that is what the operator checks first.
    std::vector<std::string> lines;
    if (run.in_flight) {
      lines.push_back("interrupted in step " + std::to_string(run.in_flight->step) + " " + run.in_flight->type + ": " +
                      run.in_flight->detail);
    }
    lines.push_back("next: `hsops failover " + run.operation + " --resume` or `--rollback` (the run recorded no roles: check by hand)");
    return lines;
  }
  const Interrupted here{run, *roles};
  const std::size_t i = std::min(last_acted(run), op->steps.size() - 1);
  std::vector<std::string> lines;
  if (run.in_flight) {
    lines.push_back("interrupted in " + step_name(*op, i, *roles) + " (started, never ended)");
  } else if (!run.steps.empty()) {
    lines.push_back("interrupted after " + step_name(*op, i, *roles) + " (" + std::string(to_string(run.steps.back().state)) + ")");
  }
  // Only the journal here: a promotion it records as done rules out a rollback.
  const auto refused = rollback_refusal(here, *op, [](const std::string&) { return std::optional<bool>(true); });
  const std::string resume = "`hsops failover " + run.operation + " --resume`";
  if (refused) {
    lines.push_back("next: " + resume + " finishes it (a rollback is refused: " + refused->substr(0, refused->find(':')) + ")");
  } else {
    lines.push_back("next: " + resume + " finishes it, or `hsops failover " + run.operation + " --rollback` goes back to " +
                    interrupted_roles(here, *op).primary + " as primary");
  }
  return lines;
}

}  // namespace hsops::failover
