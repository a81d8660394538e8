#include "watchdog/remedies.h"

#include <atomic>
#include <thread>

#include "exec/exec.h"

namespace hsops::watchdog {
namespace {

std::string shown(const std::vector<std::string>& command) {
  std::string s;
  for (const auto& a : command) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

struct Remedies::Shared {
  Log log;
  Report report;
  std::set<std::string> running;  // checks with a run in progress
  bool stopped = false;
  std::mutex mutex;
};

std::string remedy_outcome_text(const std::vector<std::string>& command, int exit_code, bool timed_out,
                                std::chrono::milliseconds timeout, const std::string& out, const std::string& err) {
  std::string text = "remedy `" + shown(command) + "` ";
  if (timed_out) return text + "timed out after " + std::to_string(timeout.count() / 1000) + " s and was killed";
  text += exit_code == 0 ? "ran: exit 0" : "failed: exit " + std::to_string(exit_code);
  const std::string said = exec::last_line(err).empty() ? exec::last_line(out) : exec::last_line(err);
  return said.empty() ? text : text + ": " + said;
}

Remedies::Remedies(std::map<std::string, RemedySpec> by_check, const Clock& clock, Log log, Report report)
    : by_check_(std::move(by_check)), clock_(clock), shared_(std::make_shared<Shared>()) {
  shared_->log = std::move(log);
  shared_->report = std::move(report);
}

void Remedies::stop() {
  std::lock_guard lock(shared_->mutex);
  shared_->stopped = true;
}

void Remedies::tick(const nlohmann::json& alerts) {
  if (by_check_.empty() || !alerts.is_array()) return;
  const auto now = clock_.now();
  for (const auto& a : alerts) {
    const std::string check = a.value("check", "");
    const auto spec = by_check_.find(check);
    if (spec == by_check_.end() || !a["acked_by"].is_null() || a.value("silenced", false)) continue;
    const auto fired_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(a.value("fired_at", 0.0))));
    if (now - fired_at < spec->second.after) continue;
    const std::string fingerprint = a.value("fingerprint", "");
    const std::string firing = fingerprint + "@" + std::to_string(a.value("fired_at", 0.0));
    if (done_.count(firing) != 0) continue;
    {
      std::lock_guard lock(shared_->mutex);
      if (shared_->running.count(check) != 0) continue;  // one at a time per check
    }
    auto& runs = runs_[check];
    while (!runs.empty() && now - runs.front() >= std::chrono::hours(1)) runs.pop_front();
    if (static_cast<int>(runs.size()) >= spec->second.max_per_hour) {
      if (done_.insert(firing).second) {
        shared_->log("remedy for " + fingerprint + " not run: already " + std::to_string(runs.size()) +
                     " run(s) in the last hour (max_per_hour)");
      }
      continue;
    }
    done_.insert(firing);
    runs.push_back(now);
    {
      std::lock_guard lock(shared_->mutex);
      shared_->running.insert(check);
    }
    exec::Command command(spec->second.command.front(),
                          std::vector<std::string>(spec->second.command.begin() + 1, spec->second.command.end()));
    command.deadline = spec->second.timeout;
    command.env_overrides = {{"HSOPS_ALERT_ID", a.value("id", "")},
                             {"HSOPS_ALERT_CHECK", check},
                             {"HSOPS_ALERT_FINGERPRINT", fingerprint},
                             {"HSOPS_ALERT_SEVERITY", a.value("severity", "")},
                             {"HSOPS_ALERT_SUMMARY", a.value("summary", "")}};
    shared_->log("running the remedy for " + fingerprint + ": " + shown(spec->second.command));
    std::thread([command, argv = spec->second.command, check, fingerprint, shared = shared_] {
      const auto outcome = exec::run(command);
      const std::string text =
          outcome ? remedy_outcome_text(argv, outcome->exit_code, outcome->timed_out, command.deadline, outcome->out, outcome->err)
                  : "remedy `" + shown(argv) + "` could not start: " + outcome.error().message;
      std::lock_guard lock(shared->mutex);
      shared->running.erase(check);
      if (shared->stopped) return;
      shared->log(fingerprint + ": " + text);
      shared->report(fingerprint, text);
    }).detach();
  }
}

}  // namespace hsops::watchdog
