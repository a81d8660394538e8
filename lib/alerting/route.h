// Routes: who is paged for an alert, in which order, and how often it is repeated.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert.h"

namespace hsops::alerting {

// One escalation step: paged `delay` after firing while nobody has acked.
struct Tier {
  std::chrono::seconds delay{0};
  std::vector<std::string> notifiers;  // notifier names from the config
};

struct Route {
  std::string name = "default";
  std::optional<std::string> check;    // matches only this check when set
  std::optional<Severity> severity;    // matches only this severity when set
  std::vector<Tier> tiers{Tier{}};     // ordered by delay
  // Reminder to everyone paged, until acked; 0 means none, except that a critical alert
  // repeats every EngineSettings::critical_repeat_every anyway.
  std::chrono::seconds repeat_every{0};
};

bool matches(const Route& route, const std::string& check, Severity severity);
// The first route that matches, else `fallback` (the default route).
const Route& choose_route(const std::vector<Route>& routes, const Route& fallback, const std::string& check,
                          Severity severity);
// The route an alert fired on; a route gone from the config falls back to matching again.
const Route& route_of(const Alert& alert, const std::vector<Route>& routes, const Route& fallback);

}  // namespace hsops::alerting
