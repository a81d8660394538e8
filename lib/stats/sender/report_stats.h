// The sending side, `hsops report-stats collect|push`: its config section, the body it sends
// (optionally anonymised), the push itself, and the figures as a CheckResult for the
// Nagios / Prometheus renderers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/check.h"
#include "core/result.h"
#include "net/http.h"
#include "stats/sender/collect.h"

namespace hsops::stats {

struct ReportStatsConfig {
  std::string server_name;                     // Synapse's server_name (required)
  std::optional<std::string> server_context;
  std::string database_conninfo;               // Synapse's database; password from password_file/_env
  Millis connect_timeout{5000};
  Millis statement_timeout{30000};             // the event counts scan a day of events
  std::optional<std::string> pid_file;         // Synapse's pid file: memory_rss and uptime_seconds
  std::string endpoint = "https://matrix.org/report-usage-stats/push";
  bool anonymise = false;                      // homeserver -> HMAC pseudonym with a local secret
  std::vector<std::string> drop_fields;        // never sent (e.g. memory_rss, log_level)
  int attempts = 3;                            // push retries on network errors and 5xx
};

// Reads the top-level `report_stats` section. Throws config::ConfigError.
ReportStatsConfig read_report_stats_config(const config::Section& root);

// The pid from a pid file (first line), or nullopt.
std::optional<int> read_pid_file(const std::string& path);

// The body to send: `report` with drop_fields removed and, when anonymising, homeserver
// replaced by pseudonym(secret, name). Throws nothing; unknown drop_fields are ignored.
nlohmann::json push_body(const Report& report, const ReportStatsConfig& config, const std::string& secret);

// PUT body (exact bytes) to the endpoint like Synapse does (Content-Type application/json,
// User-Agent hsops/<version>), with deadlines and retries. A non-2xx is an Error{ErrorKind::http}.
Result<net::Response> push_report(const std::string& body, const ReportStatsConfig& config,
                                  const net::Deadlines& deadlines, const std::string& ca_file,
                                  const std::string& user_agent);

// The figures as one CheckResult ("report-stats", OK) whose measurements feed Nagios
// perfdata and hsops_report_stats_figure{figure=...}.
CheckResult report_result(const Report& report);

}  // namespace hsops::stats
