// The alert engine: turns check results and the passing of time into notifications.
// Pure: no I/O, time only from the injected Clock (wall time, so a restored state means the
// same after a restart). Defaults are in settings.h and flap.h; docs/watchdog.md has the
// lifecycle.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/engine_state.h"
#include "alerting/notification.h"
#include "alerting/settings.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/result.h"

namespace hsops::alerting {

// One row of `hsops alerts list`.
struct ListedAlert {
  Alert alert;
  bool silenced = false;
  std::optional<TimePoint> next_page;  // none while silenced, acked for good, or fully paged
};

class AlertEngine {
 public:
  // `clock` must outlive the engine. `state` is what load_state gave back after a restart.
  AlertEngine(EngineSettings settings, const Clock& clock, EngineState state = {});

  // One run of one check: fires, updates and resolves that check's alerts, then pages what is due.
  std::vector<Notification> observe(const CheckResult& result);
  // Timer work: pending alerts whose for: ran out, tiers and repeats due, expired acks and silences.
  std::vector<Notification> tick();
  // Stops escalation and repeats for `id` (short id or fingerprint); `duration` makes it expire.
  Result<std::vector<Notification>> ack(std::string_view id, const std::string& who,
                                        std::optional<std::chrono::seconds> duration, const std::string& comment);
  void silence(Silence silence);

  std::vector<ListedAlert> list() const;
  const EngineState& state() const { return state_; }

 private:
  void fire(const std::string& check, const Pending& pending, TimePoint now, std::vector<Notification>& out);
  // The check is OK for this alert again: true when it resolves now (not held as flapping).
  bool recover(Alert& alert, TimePoint now);
  void refail(Alert& alert, const Failure& failure, const std::string& summary, TimePoint now);
  void resolve(const std::string& fingerprint, TimePoint now, std::vector<Notification>& out);
  void settle(TimePoint now, std::vector<Notification>& out);
  void end_silences(TimePoint now);
  void expire_ack(Alert& alert, TimePoint now, std::vector<Notification>& out);
  void page_due(Alert& alert, TimePoint now, std::vector<Notification>& out);
  bool silenced(const Alert& alert, TimePoint now) const;
  const Route& route(const Alert& alert) const;

  EngineSettings settings_;
  const Clock* clock_;
  EngineState state_;
};

}  // namespace hsops::alerting
