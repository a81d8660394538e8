// The engine's settings: the watchdog's config reader fills them; the defaults are usable.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "alerting/flap.h"
#include "alerting/route.h"

namespace hsops::alerting {

struct EngineSettings {
  // How long a check must stay non-OK before its alert fires ("for:"); 0 fires at once.
  std::chrono::seconds default_for{0};
  std::map<std::string, std::chrono::seconds> for_by_check;
  FlapSettings flap;
  std::vector<Route> routes;   // first match wins
  Route default_route;         // when none matches: one tier at 0 s
  // A critical alert on a route without repeat_every still repeats this often until acked.
  std::chrono::seconds critical_repeat_every{std::chrono::minutes{15}};
};

std::chrono::seconds for_duration(const EngineSettings& settings, const std::string& check);

}  // namespace hsops::alerting
