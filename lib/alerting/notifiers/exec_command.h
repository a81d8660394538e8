// The exec notifier: runs a command (argv, no shell) for each page, the page as JSON on stdin
// and in HSOPS_ALERT_* environment variables, under a deadline (lib/exec kills the process
// group when it passes). For SMS gateways, sendmail, a local script: anything with a CLI.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerting/notification.h"
#include "core/result.h"

namespace hsops::alerting {

struct ExecOptions {
  std::vector<std::string> command;  // argv; the first an absolute path
  std::chrono::milliseconds timeout{30'000};
};

// {"event", "tier", "alert": {id, fingerprint, check, labels, severity, summary, fired_at}}.
nlohmann::json exec_page_json(const Notification& notification);
// HSOPS_ALERT_ID, _CHECK, _SEVERITY, _EVENT, _SUMMARY, _TIER, _FINGERPRINT.
std::map<std::string, std::string> exec_page_env(const Notification& notification);

// Exit 0 is delivered (returns 0); another exit status, a timeout or a failed start is an
// error naming it and the last line the command wrote to stderr.
Result<int> run_exec_notifier(const Notification& notification, const ExecOptions& options);

}  // namespace hsops::alerting
