#include "watchdog/setup.h"

#include <algorithm>
#include <cctype>

#include "checks/registry.h"
#include "stats/sender/report_stats.h"

namespace hsops::watchdog {
namespace {

// "https://user@Matrix.Example.org:8448/path" -> "matrix.example.org".
std::string url_host(std::string url) {
  if (const auto scheme = url.find("://"); scheme != std::string::npos) url.erase(0, scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const auto at = url.rfind('@'); at != std::string::npos) url.erase(0, at + 1);
  if (!url.empty() && url.front() == '[') {
    url = url.substr(1, url.find(']') == std::string::npos ? std::string::npos : url.find(']') - 1);
  } else if (const auto colon = url.rfind(':'); colon != std::string::npos) {
    url.erase(colon);
  }
  std::transform(url.begin(), url.end(), url.begin(), [](unsigned char c) { return std::tolower(c); });
  return url;
}

}  // namespace

std::vector<std::string> same_homeserver_warnings(const config::Section& root, const WatchdogConfig& config) {
  std::vector<std::pair<std::string, std::string>> monitored;  // (check, host)
  if (root.has("checks")) {
    const auto checks = root.child("checks");
    for (const auto& name : checks.keys()) {
      const auto section = checks.child(name);
      if (!section.has("homeserver_url")) continue;
      if (const auto url = section.optional_string("homeserver_url")) monitored.emplace_back(name, url_host(*url));
    }
  }
  std::vector<std::string> warnings;
  for (const auto& n : config.notifiers) {
    if (!n.matrix) continue;
    const std::string host = url_host(n.matrix->client.base_url);
    for (const auto& [check, checked_host] : monitored) {
      if (checked_host != host) continue;
      warnings.push_back("watchdog.notifiers." + n.name + " posts to " + host + ", the homeserver checks." + check +
                         " monitors: when it is down, its page is not delivered. Use an ops room on another "
                         "homeserver, or add a pagerduty/alertmanager notifier to the tiers");
      break;
    }
  }
  return warnings;
}

WatchdogSetup load_setup(const config::Document& doc, const Clock& clock) {
  const config::Section root = doc.root();
  WatchdogSetup setup;
  setup.config_file = doc.file();
  setup.global = config::read_global(root);
  const checks::Services services{.clock = clock, .global = setup.global};
  const auto checks = checks::build_enabled_checks(root, services);
  if (root.has("report_stats")) (void)stats::read_report_stats_config(root);
  setup.watchdog = read_watchdog_config(root, setup.global, checks::check_names());
  root.reject_unknown_keys();
  if (checks.empty()) root.fail("checks", "no check is enabled: the watchdog would watch nothing");

  const auto backstop = checks::backstop_for(services);
  for (const auto& check : checks) {
    setup.checks.push_back(LoopCheck{check->name(), check, interval_for(setup.watchdog, check->name()), backstop});
  }
  setup.warnings = doc.warnings();
  for (auto& w : same_homeserver_warnings(root, setup.watchdog)) setup.warnings.push_back(std::move(w));
  return setup;
}

}  // namespace hsops::watchdog
