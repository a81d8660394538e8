#include "alerting/route.h"

namespace hsops::alerting {

bool matches(const Route& route, const std::string& check, Severity severity) {
  if (route.check && *route.check != check) return false;
  return !route.severity || *route.severity == severity;
}

const Route& choose_route(const std::vector<Route>& routes, const Route& fallback, const std::string& check,
                          Severity severity) {
  for (const auto& route : routes) {
    if (matches(route, check, severity)) return route;
  }
  return fallback;
}

const Route& route_of(const Alert& alert, const std::vector<Route>& routes, const Route& fallback) {
  if (alert.route == fallback.name) return fallback;
  for (const auto& route : routes) {
    if (route.name == alert.route) return route;
  }
  return choose_route(routes, fallback, alert.check, alert.severity);
}

}  // namespace hsops::alerting
