// What `--resume` and `--rollback` work on: the journal's unfinished run of the same operation,
// with the roles that run resolved when it started (looking again after a promotion would give
// them swapped). Resume finishes the move (engine.h, RunOptions::resume); rollback undoes the
// interrupted half's completed steps in reverse, unless a promotion in it may have happened:
// then the promoted node is the only primary and only --resume is safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "failover/engine.h"
#include "failover/journal.h"
#include "failover/playbook.h"

namespace hsops::failover {

struct Interrupted {
  RunSummary run;
  Roles roles;  // as recorded when the run started
};

// The last run when it is unfinished, of `operation`, and matches the playbook's steps; else
// ErrorKind::state with the refusal for the operator.
Result<Interrupted> find_interrupted(const std::vector<JournalEntry>& entries, const Operation& operation);

// Whether a database node is in recovery now (nullopt: it does not answer).
using InRecovery = std::function<std::optional<bool>(const std::string& node)>;

// Why a rollback would make two writable primaries, or nullopt when it may go.
std::optional<std::string> rollback_refusal(const Interrupted& run, const Operation& operation, const InRecovery& in_recovery);

// The roles of the interrupted half (a drill's way back has them swapped): its primary is the
// node a rollback brings back.
Roles interrupted_roles(const Interrupted& run, const Operation& operation);

// Undoes, last first, the interrupted half's steps that were done (or in flight: they may have
// acted) and have an undo, with the data each journaled. Journaled under the same run id.
RunReport rollback_operation(const Operation& operation, const Interrupted& run, Journal& journal, const ActionFactory& make,
                             const Clock& clock, const RunOptions& options);

// For `status`: "interrupted in step 6/12 wait" and what to run next.
std::vector<std::string> describe_interrupted(const RunSummary& run, const Operation* operation);

}  // namespace hsops::failover
