// What `hsops report-stats collect|push` does, as values the CLI only renders: the report read
// from Synapse's database, and each outcome as a CheckResult ("report-stats") like every check,
// so cron, Nagios and the watchdog read it the same way and the status is the exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/check.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/http.h"
#include "stats/report.h"
#include "stats/sender/report_stats.h"

namespace hsops::stats {

// From the global config: where the pseudonym secret lives and how to reach the endpoint.
struct PushSettings {
  std::filesystem::path state_dir;
  net::Deadlines deadlines;
  std::string ca_file;
  std::string user_agent;
};

// The report when Synapse's database could be read, and the outcome: OK with every figure as
// a measurement, or UNKNOWN naming what failed (database, a query).
struct Collected {
  std::optional<Report> report;
  CheckResult result;
};
Collected collect_report(const ReportStatsConfig& config, const Clock& clock);

// The exact bytes push sends: drop_fields removed, the name pseudonymised with the secret kept
// in <state_dir>/report-stats.secret when anonymising (created on first use).
Result<std::string> body_to_push(const Report& report, const ReportStatsConfig& config,
                                 const std::filesystem::path& state_dir);

// PUTs the body: OK "pushed to <endpoint>: HTTP 200 after 1 attempt(s)", CRITICAL when every
// attempt failed. The endpoint is shown with any credentials redacted.
CheckResult push_result(const std::string& body, const ReportStatsConfig& config, const PushSettings& settings,
                        const Clock& clock);

// UNKNOWN "report-stats" with the reason (config errors, an unreadable secret).
CheckResult unknown_result(std::string reason);

}  // namespace hsops::stats
