// The `watchdog:` section of hsops.yaml: how often each check runs, when a failure becomes an
// alert (for:), who is paged in which order (routes and tiers), through which notifiers, and
// who may ack in the Matrix room. Validated with file:line:column like every section; secrets
// (access tokens, routing keys) only from *_file / *_env.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/notifiers/alertmanager.h"
#include "alerting/notifiers/exec_command.h"
#include "alerting/notifiers/matrix_room.h"
#include "alerting/notifiers/pagerduty.h"
#include "alerting/notifiers/webhook.h"
#include "alerting/settings.h"
#include "config/config.h"
#include "watchdog/remedies.h"

namespace hsops::watchdog {

struct NotifierConfig {
  std::string name;  // the key under watchdog.notifiers, used in routes' tiers
  std::string type;  // "matrix", "pagerduty", "alertmanager", "webhook", "exec"
  std::optional<alerting::MatrixRoomOptions> matrix;
  std::optional<alerting::PagerDutyOptions> pagerduty;
  std::optional<alerting::AlertmanagerOptions> alertmanager;
  std::optional<alerting::WebhookOptions> webhook;
  std::optional<alerting::ExecOptions> exec;
};

struct WatchdogConfig {
  std::string listen = "127.0.0.1:9187";           // /metrics, /health, /api/v1/alerts
  std::filesystem::path state_file;                // default <state_dir>/watchdog-state.json
  std::chrono::milliseconds default_interval{60'000};
  std::map<std::string, std::chrono::milliseconds> interval_by_check;  // disk: 5 min by default
  alerting::EngineSettings engine;
  std::vector<NotifierConfig> notifiers;
  std::string api_token;                           // for POST /api/v1/...: api_token_file/_env; "" = refused
  std::vector<std::string> responders;             // Matrix user ids allowed to ack in the room
  // A main-loop tick this late is a host pause (a frozen VM, a suspend): logged, alerted, and
  // every check runs at once.
  std::chrono::milliseconds host_pause_threshold{30'000};
  std::optional<std::string> heartbeat_url;        // dead man's switch, pinged every minute
  std::map<std::string, RemedySpec> remedy_by_check;  // opt-in: checks.<name>.remedy
};

// The section as `hsops config example` prints it: the defaults, notifiers and routes commented
// out (their secrets must exist to validate).
std::string_view example_section();

// The check's run interval: its own `checks.<name>.interval`, else the default.
std::chrono::milliseconds interval_for(const WatchdogConfig& config, const std::string& check);

// Reads `watchdog:` under root (absent: every default, no notifiers). `known_checks` are the
// registry's names: a per-check setting for another name is an error, as a typo would be.
// Throws config::ConfigError naming file:line:column and the key.
WatchdogConfig read_watchdog_config(const config::Section& root, const config::GlobalConfig& global,
                                    const std::vector<std::string>& known_checks);

}  // namespace hsops::watchdog
