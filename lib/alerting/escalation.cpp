#include "alerting/escalation.h"

#include <algorithm>

namespace hsops::alerting {

std::chrono::seconds for_duration(const EngineSettings& settings, const std::string& check) {
  const auto it = settings.for_by_check.find(check);
  return it == settings.for_by_check.end() ? settings.default_for : it->second;
}

std::optional<std::chrono::seconds> repeat_interval(const Route& route, Severity severity,
                                                    const EngineSettings& settings) {
  if (route.repeat_every.count() > 0) return route.repeat_every;
  if (severity == Severity::critical && settings.critical_repeat_every.count() > 0) {
    return settings.critical_repeat_every;
  }
  return std::nullopt;
}

std::optional<TimePoint> next_tier_due(const Alert& alert, const Route& route) {
  if (alert.tier >= static_cast<int>(route.tiers.size())) return std::nullopt;
  return alert.escalation_base + route.tiers[static_cast<std::size_t>(alert.tier)].delay;
}

std::optional<TimePoint> next_repeat_due(const Alert& alert, const Route& route, const EngineSettings& settings) {
  const auto interval = repeat_interval(route, alert.severity, settings);
  if (!interval || alert.tier == 0 || !alert.last_page) return std::nullopt;
  return *alert.last_page + *interval;
}

std::optional<TimePoint> next_page(const Alert& alert, const Route& route, const EngineSettings& settings) {
  const auto tier = next_tier_due(alert, route);
  const auto repeat = next_repeat_due(alert, route, settings);
  if (tier && repeat) return std::min(*tier, *repeat);
  return tier ? tier : repeat;
}

std::vector<std::string> paged_notifiers(const Alert& alert, const Route& route) {
  std::vector<std::string> names;
  const auto reached = std::min(static_cast<std::size_t>(std::max(alert.tier, 0)), route.tiers.size());
  for (std::size_t i = 0; i < reached; ++i) {
    for (const auto& name : route.tiers[i].notifiers) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

void restart_escalation(Alert& alert, const Route& route, TimePoint now) {
  const bool reached = alert.tier > 0 && alert.tier <= static_cast<int>(route.tiers.size());
  alert.escalation_base = reached ? now - route.tiers[static_cast<std::size_t>(alert.tier - 1)].delay : now;
}

}  // namespace hsops::alerting
