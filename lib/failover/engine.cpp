// The loop over steps, its journal lines and the undo on failure. Journal first, then act:
// after a crash the journal shows the step that may have half-happened.
#include "failover/engine.h"

#include <ctime>
#include <optional>
#include <random>

#include "core/units.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

double seconds_since(const Clock& clock, Steady::time_point start) {
  return std::chrono::duration<double>(clock.monotonic() - start).count();
}

struct Done {
  std::size_t index;
  std::unique_ptr<Action> action;
  ActionResult result;
};

class Runner {
 public:
  Runner(const Operation& op, const Roles& roles, Journal& journal, const ActionFactory& make, const Clock& clock,
         const RunOptions& options)
      : op_(op), roles_(roles), journal_(journal), make_(make), clock_(clock), options_(options) {}

  RunReport run() {
    report_.run_id = options_.run_id;
    report_.operation = options_.operation;
    report_.mode = options_.resume ? "resume" : "run";
    report_.started_at = unix_seconds(clock_.now());
    const auto started = clock_.monotonic();
    nlohmann::json data{{"roles", to_json(roles_)}};
    if (options_.resume) data["resumed"] = true;
    write(0, "run", StepState::started, options_.operation + (options_.resume ? " resumed" : " started"), data);
    bool failed = false;
    for (std::size_t i = 0; i < op_.steps.size() && !failed; ++i) failed = !step(i);
    for (std::size_t i = report_.steps.size(); i < op_.steps.size(); ++i) report_.steps.push_back(skipped(i));
    if (failed) undo_completed();
    report_.seconds = seconds_since(clock_, started);
    report_.ok = !failed;
    for (const auto& s : report_.steps) report_.ok = report_.ok && !s.over_budget;
    if (!failed) report_.left_state = "every step done";
    write(0, "run", failed ? StepState::failed : StepState::done, report_.left_state);
    return report_;
  }

 private:
  StepReport skipped(std::size_t i) const {
    StepReport r;
    r.index = static_cast<int>(i + 1);
    r.type = op_.steps[i].type;
    r.node = node_of(op_.steps[i], roles_);
    r.state = StepState::skipped;
    return r;
  }

  void say(const std::string& line) const {
    if (options_.progress) options_.progress(line);
  }

  bool write(int step, const std::string& type, StepState state, const std::string& detail, nlohmann::json data = {}) {
    JournalEntry e{options_.run_id, options_.operation, step, type, state, unix_seconds(clock_.now()), detail,
                   data.is_null() ? nlohmann::json::object() : std::move(data)};
    auto written = journal_.append(e);
    if (!written) journal_error_ = written.error().message;
    return written.ok();
  }

  // One step; false when it failed (then the run stops).
  bool step(std::size_t i) {
    const StepSpec& spec = op_.steps[i];
    StepReport r = skipped(i);
    const std::string name = "step " + std::to_string(i + 1) + "/" + std::to_string(op_.steps.size()) + " " + spec.type +
                             (r.node.empty() ? "" : " " + r.node);
    if (const JournalEntry* earlier = done_earlier(r.index)) return skip_done(i, *earlier, name);
    // A journal that cannot be written means a crash could not be recovered from: stop.
    if (!write(r.index, spec.type, StepState::started, name)) {
      r.state = StepState::failed;
      r.detail = "journal not writable: " + journal_error_;
      report_.left_state = "stopped before " + name + ": " + r.detail;
      report_.steps.push_back(r);
      return false;
    }
    say(name + ": " + describe_wait(spec));
    r.started_at = unix_seconds(clock_.now());
    const auto started = clock_.monotonic();
    auto action = make_(spec, roles_for(spec, roles_));
    auto result = action ? action->run(started + spec.deadline)
                         : Result<ActionResult>(Error{ErrorKind::internal, "no action for step type " + spec.type});
    r.seconds = seconds_since(clock_, started);
    r.over_budget = spec.budget && r.seconds > std::chrono::duration<double>(*spec.budget).count();
    if (!result) {
      r.state = StepState::failed;
      r.detail = result.error().message;
      write(r.index, spec.type, StepState::failed, r.detail);
      say(name + ": FAILED after " + format_duration(r.seconds) + ": " + r.detail);
      report_.left_state = name + " failed: " + r.detail;
      report_.steps.push_back(r);
      return false;
    }
    r.state = StepState::done;
    r.detail = result->detail;
    write(r.index, spec.type, StepState::done, r.detail, result->data);
    say(name + ": done in " + format_duration(r.seconds) + (r.over_budget ? " (OVER BUDGET)" : "") +
        (r.detail.empty() ? "" : ": " + r.detail));
    report_.steps.push_back(r);
    done_.push_back({i, std::move(action), std::move(result).value()});
    return true;
  }

  // With --resume, the journal entry of a step the interrupted attempt finished.
  const JournalEntry* done_earlier(int index) const {
    if (options_.resume == nullptr) return nullptr;
    const JournalEntry* e = options_.resume->step(index);
    return e != nullptr && e->state == StepState::done ? e : nullptr;
  }

  // Not run again: reported as done earlier, and its action is kept for a later undo and
  // told what it found (a later step may need it).
  bool skip_done(std::size_t i, const JournalEntry& earlier, const std::string& name) {
    const StepSpec& spec = op_.steps[i];
    StepReport r = skipped(i);
    r.state = StepState::done;
    r.detail = "done in the earlier attempt: " + earlier.detail;
    const auto started = options_.resume->started_at.find(r.index);
    r.started_at = started != options_.resume->started_at.end() ? started->second : earlier.at;
    r.seconds = std::max(0.0, earlier.at - r.started_at);
    say(name + ": done in the earlier attempt");
    ActionResult result{earlier.detail, earlier.data};
    auto action = make_(spec, roles_for(spec, roles_));
    if (action) action->resume_from(result);
    report_.steps.push_back(r);
    done_.push_back({i, std::move(action), std::move(result)});
    return true;
  }

  static std::string describe_wait(const StepSpec& spec) {
    const StepType* t = find_step_type(spec.type);
    return std::string(t != nullptr ? t->what : "") + " (deadline " +
           format_duration(std::chrono::duration<double>(spec.deadline).count()) + ")";
  }

  // Reverses the completed steps that can be, last first; a failed undo is reported and the
  // rest still run (each undo stands on its own: starting the old primary again does not
  // depend on the route).
  void undo_completed() {
    std::vector<std::string> undone, not_undone;
    // Once a standby was promoted, that half of the operation is not undone: starting the
    // fenced old primary again would make two writable primaries, and moving the homeserver
    // back would point it at a fenced database. The new primary stays. Only a later half (the
    // drill's switch back, before its own promotion) is undone.
    std::optional<std::size_t> promoted;
    for (const auto& d : done_) {
      if (op_.steps[d.index].type == "pg.promote") promoted = d.index;
    }
    for (auto it = done_.rbegin(); it != done_.rend(); ++it) {
      const StepSpec& spec = op_.steps[it->index];
      StepReport& r = report_.steps[it->index];
      if (!it->action || !it->action->can_undo()) continue;
      const bool later_half = promoted && it->index > *promoted && back_half(spec) != back_half(op_.steps[*promoted]);
      if (promoted && !later_half) {
        kept_.push_back(spec.type + (r.node.empty() ? "" : " " + r.node));
        continue;
      }
      say("undo step " + std::to_string(r.index) + " " + spec.type + (r.node.empty() ? "" : " " + r.node));
      auto u = it->action->undo(it->result, clock_.monotonic() + spec.deadline);
      if (u) {
        r.state = StepState::undone;
        write(r.index, spec.type, StepState::undone, u->detail);
        undone.push_back(spec.type + (r.node.empty() ? "" : " " + r.node));
      } else {
        r.state = StepState::undo_failed;
        write(r.index, spec.type, StepState::undo_failed, u.error().message);
        not_undone.push_back(spec.type + (r.node.empty() ? "" : " " + r.node) + " (" + u.error().message + ")");
      }
    }
    if (!undone.empty()) {
      std::string list;
      for (const auto& u : undone) list += (list.empty() ? "" : ", ") + u;
      report_.left_state += "; undone: " + list;
    }
    if (promoted) {
      std::string list;
      for (const auto& k : kept_) list += (list.empty() ? "" : ", ") + k;
      report_.left_state += "; " + report_.steps[*promoted].node + " was promoted and stays primary" +
                            (list.empty() ? "" : " (not undone, to keep one primary: " + list + ")");
    }
    if (!not_undone.empty()) {
      std::string list;
      for (const auto& u : not_undone) list += (list.empty() ? "" : ", ") + u;
      report_.left_state += "; NOT undone, fix by hand: " + list;
    }
  }

  const Operation& op_;
  const Roles& roles_;
  Journal& journal_;
  const ActionFactory& make_;
  const Clock& clock_;
  const RunOptions& options_;
  RunReport report_;
  std::vector<Done> done_;
  std::vector<std::string> kept_;
  std::string journal_error_;
};

}  // namespace

bool back_half(const StepSpec& s) { return s.params.count("half") != 0 && s.params.at("half") == "back"; }

Roles roles_for(const StepSpec& step, const Roles& roles) { return back_half(step) ? roles.swapped() : roles; }

std::string node_of(const StepSpec& step, const Roles& roles) { return roles_for(step, roles).node_for(step.node_role); }

nlohmann::json to_json(const Roles& r) {
  return {{"primary", r.primary}, {"standby", r.standby}, {"active", r.active}, {"spare", r.spare}};
}

std::optional<Roles> roles_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::nullopt;
  Roles r;
  for (auto [key, out] : {std::pair{"primary", &r.primary}, {"standby", &r.standby}, {"active", &r.active}, {"spare", &r.spare}}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    *out = it->get<std::string>();
  }
  if (r.primary.empty() || r.standby.empty()) return std::nullopt;
  return r;
}

nlohmann::json to_json(const RunReport& report) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : report.steps) {
    steps.push_back({{"step", s.index}, {"type", s.type}, {"node", s.node}, {"state", std::string(to_string(s.state))},
                     {"started_at", s.started_at}, {"seconds", s.seconds}, {"over_budget", s.over_budget}, {"detail", s.detail}});
  }
  return {{"run_id", report.run_id}, {"operation", report.operation}, {"mode", report.mode}, {"ok", report.ok},
          {"started_at", report.started_at}, {"seconds", report.seconds}, {"left_state", report.left_state},
          {"steps", steps}};
}

RunReport run_operation(const Operation& operation, const Roles& roles, Journal& journal, const ActionFactory& make,
                        const Clock& clock, const RunOptions& options) {
  return Runner(operation, roles, journal, make, clock, options).run();
}

std::string new_run_id(const Clock& clock) {
  const auto t = std::chrono::system_clock::to_time_t(clock.now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  static thread_local std::mt19937 rng{std::random_device{}()};
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(rng() & 0xffff));
  return std::string(stamp) + "-" + suffix;
}

}  // namespace hsops::failover
