#include "alerting/notifiers/exec_command.h"

#include "core/clock.h"
#include "exec/exec.h"

namespace hsops::alerting {
nlohmann::json exec_page_json(const Notification& n) {
  const Alert& a = n.alert;
  return {{"event", to_string(n.event)},
          {"tier", n.tier},
          {"alert",
           {{"id", a.id},
            {"fingerprint", a.fingerprint},
            {"check", a.check},
            {"labels", a.labels},
            {"severity", to_string(a.severity)},
            {"summary", a.summary},
            {"fired_at", unix_seconds(a.fired_at)}}}};
}

std::map<std::string, std::string> exec_page_env(const Notification& n) {
  return {{"HSOPS_ALERT_ID", n.alert.id},
          {"HSOPS_ALERT_CHECK", n.alert.check},
          {"HSOPS_ALERT_SEVERITY", std::string(to_string(n.alert.severity))},
          {"HSOPS_ALERT_EVENT", std::string(to_string(n.event))},
          {"HSOPS_ALERT_SUMMARY", n.alert.summary},
          {"HSOPS_ALERT_TIER", std::to_string(n.tier)},
          {"HSOPS_ALERT_FINGERPRINT", n.alert.fingerprint}};
}

Result<int> run_exec_notifier(const Notification& n, const ExecOptions& o) {
  exec::Command c(o.command.front(), std::vector<std::string>(o.command.begin() + 1, o.command.end()));
  c.deadline = o.timeout;
  c.env_overrides = exec_page_env(n);
  c.stdin_data = exec_page_json(n).dump() + "\n";
  c.max_output_bytes = 64 * 1024;
  const std::string what = "command " + o.command.front();
  const auto ran = exec::run(c);
  if (!ran) return Error{ran.error().kind, what + ": " + ran.error().message};
  if (ran->timed_out) {
    return Error{ErrorKind::timeout, what + " did not finish within " + std::to_string(o.timeout.count()) + " ms (killed)"};
  }
  if (ran->exit_code == 0) return 0;
  const std::string said = exec::last_line(ran->err);
  return Error{ErrorKind::exit_status, what + (ran->signal != 0 ? " was killed by signal " + std::to_string(ran->signal)
                                                          : " exited with status " + std::to_string(ran->exit_code)) +
                                     (said.empty() ? "" : ": " + said)};
}

}  // namespace hsops::alerting
