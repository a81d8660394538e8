// When an alert is paged next, and to whom: pure functions of the alert, its route and now.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/settings.h"

namespace hsops::alerting {

// The repeat interval that applies to this alert, if any.
std::optional<std::chrono::seconds> repeat_interval(const Route& route, Severity severity,
                                                    const EngineSettings& settings);
// When the next tier is due; none once the last tier is paged.
std::optional<TimePoint> next_tier_due(const Alert& alert, const Route& route);
// When the next reminder is due; none before tier 1 or without a repeat interval.
std::optional<TimePoint> next_repeat_due(const Alert& alert, const Route& route, const EngineSettings& settings);
// The earlier of the two: what `hsops alerts list` shows as the next page.
std::optional<TimePoint> next_page(const Alert& alert, const Route& route, const EngineSettings& settings);
// Everyone paged so far (tiers 1..alert.tier), each name once, in tier order.
std::vector<std::string> paged_notifiers(const Alert& alert, const Route& route);
// Keeps the reached tier's place in the timeline as of `now`: after an ack expires or a
// silence ends, the next tier comes its usual gap later instead of all at once.
void restart_escalation(Alert& alert, const Route& route, TimePoint now);

}  // namespace hsops::alerting
