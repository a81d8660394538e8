// Runs an operation's steps in order: each is journaled before it acts and after, timed against
// its budget, and reported as a progress line; when one fails, the undo of every completed step
// that has one runs in reverse order, and the report says what state things were left in.
// What a step does is an Action (actions for pg.*, homeserver.*, route.* are built by the
// caller's factory), so the engine is the same for every backend and tested with fakes.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "failover/journal.h"
#include "failover/playbook.h"
#include "failover/step_types.h"

namespace hsops::failover {

// What a step did: a line for the operator, and what its undo (or a resumed run) needs.
struct ActionResult {
  std::string detail;
  nlohmann::json data = nlohmann::json::object();
};

class Action {
 public:
  virtual ~Action() = default;
  // Does the step within `deadline` (monotonic); an Error is the step's failure, named.
  virtual Result<ActionResult> run(std::chrono::steady_clock::time_point deadline) = 0;
  virtual bool can_undo() const { return false; }
  // Reverses a completed step, given what its run returned.
  virtual Result<ActionResult> undo(const ActionResult& done, std::chrono::steady_clock::time_point deadline) {
    (void)done;
    (void)deadline;
    return Error{ErrorKind::internal, "this step has no undo"};
  }
  // A resumed run skips a step done in the earlier attempt; this hands the action what that
  // attempt returned, so later steps find what it found (the fence's WAL position).
  virtual void resume_from(const ActionResult& earlier) { (void)earlier; }
};

// Builds the action of one step with the run's roles (the second half of a drill swapped).
using ActionFactory = std::function<std::unique_ptr<Action>(const StepSpec& step, const Roles& roles)>;

struct StepReport {
  int index = 0;  // 1-based
  std::string type;
  std::string node;
  StepState state = StepState::skipped;
  double started_at = 0;  // unix seconds; 0 when it never ran
  double seconds = 0;
  bool over_budget = false;
  std::string detail;
};

struct RunReport {
  std::string run_id;
  std::string operation;
  bool ok = false;            // every step done and none over budget
  double started_at = 0;      // unix seconds
  double seconds = 0;
  std::vector<StepReport> steps;
  std::string left_state;     // one sentence: what the failure or the undo left
  std::string mode = "run";   // "run", "resume" (an interrupted run finished) or "rollback"
};

nlohmann::json to_json(const RunReport& report);

struct RunOptions {
  std::string run_id;
  std::string operation;
  std::function<void(const std::string&)> progress;  // "step 5/11 pg.fence db1: ..." lines
  // --resume: the interrupted run continued under its run id; its done steps are skipped.
  const RunSummary* resume = nullptr;
};

// The second half of a drill (step params half: back), which runs with the roles swapped.
bool back_half(const StepSpec& step);
Roles roles_for(const StepSpec& step, const Roles& roles);
std::string node_of(const StepSpec& step, const Roles& roles);

// The run-level journal line records the roles, so --resume and --rollback use the run's own.
nlohmann::json to_json(const Roles& roles);
std::optional<Roles> roles_from_json(const nlohmann::json& j);

RunReport run_operation(const Operation& operation, const Roles& roles, Journal& journal, const ActionFactory& make,
                        const Clock& clock, const RunOptions& options);

// A fresh run id: UTC time and a random suffix, e.g. "20261205T201500Z-4f2a".
std::string new_run_id(const Clock& clock);

}  // namespace hsops::failover
