// Remedies (opt-in): a command the watchdog runs itself once a check's alert has fired for a
// while, unacked, e.g. restarting Synapse when the probe cannot send while the database is up
// (the outage's 06:00 lesson). At most N runs per check per hour, one at a time, each under a
// deadline; every run is logged and its outcome goes to whoever was paged.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"

namespace hsops::watchdog {

struct RemedySpec {
  std::vector<std::string> command;            // argv, no shell: ["systemctl", "restart", "matrix-synapse"]
  std::chrono::seconds after{300};              // how long the alert fires, unacked, first
  int max_per_hour = 1;
  std::chrono::milliseconds timeout{60'000};
};

class Remedies {
 public:
  using Log = std::function<void(const std::string&)>;
  // The outcome for the alert's notification: "remedy `systemctl restart x` ran: exit 0 (...)".
  using Report = std::function<void(const std::string& fingerprint, const std::string& outcome)>;

  Remedies(std::map<std::string, RemedySpec> by_check, const Clock& clock, Log log, Report report);

  // From the main loop with the active alerts (AlertKeeper::list()["alerts"]): starts what is
  // due on its own thread and returns at once.
  void tick(const nlohmann::json& alerts);
  // Runs in progress finish on their own; their outcome is then only dropped.
  void stop();

 private:
  struct Shared;
  std::map<std::string, RemedySpec> by_check_;
  const Clock& clock_;
  std::shared_ptr<Shared> shared_;
  std::set<std::string> done_;  // "<fingerprint>@<fired_at>": one run per firing
  std::map<std::string, std::deque<std::chrono::system_clock::time_point>> runs_;  // by check, last hour
};

// "exit 0", "exit 3: <last stderr line>", "timed out after 60 s", "could not start: ...".
std::string remedy_outcome_text(const std::vector<std::string>& command, int exit_code, bool timed_out,
                                std::chrono::milliseconds timeout, const std::string& out, const std::string& err);

}  // namespace hsops::watchdog
