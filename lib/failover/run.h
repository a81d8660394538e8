// One failover operation from the command line's point of view: the lock, the state read
// before it (roles, refusals), the engine with every action, and the report written next to
// the journal. The CLI only parses arguments and prints.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "failover/engine.h"
#include "failover/more_actions.h"
#include "failover/playbook.h"

namespace hsops::failover {

// A fresh run, or what to do with the journal's interrupted run of the same operation.
enum class RunMode { fresh, resume, rollback };

struct ExecuteOptions {
  std::string operation;         // "switchover", "promote", "drill"
  RunMode mode = RunMode::fresh;
  bool force = false;            // promote above maximum_lag_on_failover
  Interaction interaction;
  Millis observe_timeout{5000};
  std::function<void(const std::string&)> progress;
};

struct ExecuteResult {
  std::vector<std::string> refusals;  // non-empty: nothing was done
  std::vector<std::string> warnings;
  std::optional<RunReport> report;
  std::optional<double> rto_seconds;  // first step that stops writes to the end of the last probe
  std::filesystem::path report_file;
};

// ErrorKind::busy when another run holds the lock. --resume and --rollback continue the
// interrupted run under its run id with its recorded roles; the report is
// <state_dir>/reports/<run id>.json (the interrupted attempt wrote none) with its "mode".
Result<ExecuteResult> execute(const Playbook& playbook, const ExecuteOptions& options, const Clock& clock);

}  // namespace hsops::failover
