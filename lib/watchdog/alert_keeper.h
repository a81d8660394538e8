// The watchdog's alerts: the engine behind one lock, its state saved to the state file after
// every change (so kill -9 loses nothing), every page handed to the pager and logged as one
// line. The check loop, the main loop's tick, the HTTP API and the room's acks all come here.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "alerting/engine.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/result.h"

namespace hsops::watchdog {

class AlertKeeper final : public prometheus::Collectable {
 public:
  using Pager = std::function<void(const alerting::Notification&)>;  // must not block
  using Log = std::function<void(const std::string&)>;

  // Restores the state file. A corrupt one is moved aside (logged) and the keeper starts
  // empty: a watchdog that refuses to start over a bad file watches nothing at all.
  AlertKeeper(alerting::EngineSettings settings, const Clock& clock, std::filesystem::path state_file,
              std::vector<std::string> known_checks, Pager pager, Log log);

  void observe(const CheckResult& result);
  void tick();
  // `id`: the short id or the fingerprint. Error kind not_found for an alert that is not active.
  Result<nlohmann::json> ack(const std::string& id, const std::string& who,
                             std::optional<std::chrono::seconds> duration, const std::string& comment);
  // `alert`: one alert of the check (id or fingerprint); none: the whole check.
  Result<nlohmann::json> silence(const std::string& check, const std::optional<std::string>& alert,
                                 std::chrono::seconds duration, const std::string& who, const std::string& comment);
  // {"alerts": [...], "silences": [...]}: alerting::alerts_json plus the silences in force.
  nlohmann::json list() const;

  // A remedy's outcome, to everyone the alert has paged so far (as a repeat of the alert with
  // the outcome in its summary). Nothing when the alert has resolved meanwhile.
  void page_remedy(const std::string& fingerprint, const std::string& outcome);

  // Re-sends every firing, unsilenced alert to those of `notifiers` it has paged (a repeat,
  // engine state untouched): Alertmanager drops an alert whose re-sends stop (endsAt).
  void refresh(const std::vector<std::string>& notifiers);

  // A reload: the same alerts under new routes, tiers and for: durations.
  void reconfigure(alerting::EngineSettings settings, std::vector<std::string> known_checks);

  // hsops_alert_active{alert,check,severity}, hsops_alert_acked{alert,check} and
  // hsops_alert_escalation_tier{alert,check}, from a
  // snapshot taken after each change: a scrape never waits for the engine's lock (or a save).
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void hand_over(const std::vector<alerting::Notification>& pages);  // under mutex_
  void take_snapshot();                                               // under mutex_
  void persist();                                                     // under mutex_
  std::vector<std::string> paged_so_far(const alerting::Alert& alert) const;  // under mutex_

  const Clock& clock_;
  std::filesystem::path state_file_;
  Pager pager_;
  Log log_;
  mutable std::mutex mutex_;
  std::vector<std::string> known_checks_;
  alerting::EngineSettings settings_;
  std::optional<alerting::AlertEngine> engine_;
  std::string saved_;  // the state as last written, to write only on change
  std::string save_error_;  // the last failure, logged once until it changes
  mutable std::mutex snapshot_mutex_;
  std::vector<prometheus::MetricFamily> snapshot_;
};

}  // namespace hsops::watchdog
