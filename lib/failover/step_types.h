// The typed steps operations are built from: what each acts on, whether it can be undone,
// its default deadline and the keys it takes. One table, so `plan`, validation and (later)
// the engine agree. A second database backend (Patroni) adds its own `patroni.*` rows.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/units.h"
#include "failover/playbook.h"

namespace hsops::failover {

// What a step's `node:` may name.
enum class Acts { nothing, database, homeserver };

struct StepType {
  std::string_view name;       // "pg.fence"
  Acts acts = Acts::nothing;
  std::string_view default_role;  // the role used when the step names none ("primary", ...)
  std::string_view what;       // one line for plan: what it does
  std::string_view undo;       // what its undo does; "" when it has none
  Millis deadline{60000};
  std::vector<std::string_view> params;  // further keys it takes
};

const std::vector<StepType>& step_types();
const StepType* find_step_type(std::string_view name);
// "pg.checkpoint, pg.fence, ..." for error messages.
std::string step_type_names();

// The standard, safe sequence of an operation ("switchover", "promote", "drill") when the
// playbook does not spell it out.
// With Patroni there is no default promote (Patroni promotes by itself): empty.
std::vector<StepSpec> default_steps(std::string_view operation, Backend backend = Backend::native);

// Why a step type cannot run with a backend ("" when it can): pg.promote and the other steps
// that move leadership behind Patroni's back are refused with Patroni, patroni.* without it.
std::string backend_refusal(std::string_view type, Backend backend);

// The answer to `promote` with Patroni.
inline constexpr std::string_view kPatroniPromoteRefusal =
    "with Patroni, failover is automatic: Patroni promotes; use `hsops failover switchover` for a planned move";

// Roles as a run sees them: which database node is primary now, which homeserver serves.
struct Roles {
  std::string primary, standby, active, spare;
  // The role names swapped: the switch back of a drill.
  Roles swapped() const { return Roles{standby, primary, spare, active}; }
  std::string node_for(std::string_view role) const;  // "" for an unknown role
};

// One line of `plan`: "pg.fence db1 (primary): stop it with `systemctl stop ...` ... [undo: ...] (deadline 60 s)".
std::string describe_step(const StepSpec& step, const Playbook& playbook, const Roles& roles);

}  // namespace hsops::failover
