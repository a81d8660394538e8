// lib/exec under the step's deadline; the last line the command printed goes into the detail.
#include "failover/run_command.h"

#include <algorithm>

#include "exec/exec.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

Millis left(Steady::time_point deadline) {
  return std::max(Millis(1), std::chrono::duration_cast<Millis>(deadline - Steady::now()));
}

Result<ActionResult> run_argv(const std::vector<std::string>& argv, Steady::time_point deadline) {
  if (argv.empty()) return Error{ErrorKind::config, "no command"};
  exec::Command c(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
  c.deadline = left(deadline);
  auto r = exec::run(c);
  if (!r) return r.error();
  const std::string said = exec::last_line(r->out + r->err);
  if (r->timed_out) return Error{ErrorKind::timeout, "`" + joined(argv) + "` did not finish in time and was killed"};
  if (r->exit_code != 0) {
    return Error{ErrorKind::exit_status, "`" + joined(argv) + "` exited with " + std::to_string(r->exit_code) +
                                             (said.empty() ? "" : ": " + said)};
  }
  return ActionResult{"`" + joined(argv) + "` done" + (said.empty() ? "" : ": " + said), {}};
}

std::vector<std::string> control_argv(const Control& c, const char* verb) {
  if (!c.systemd_unit.empty()) return {"systemctl", verb, c.systemd_unit};
  return c.command;
}

Result<ActionResult> run_control(const Control& c, const char* verb, std::chrono::steady_clock::time_point deadline) {
  return run_argv(control_argv(c, verb), std::min(deadline, std::chrono::steady_clock::now() + c.deadline));
}

}  // namespace hsops::failover
