#include "stats/sender/run.h"

#include <chrono>
#include <utility>

#include "pg/connection.h"
#include "stats/pseudonym.h"
#include "stats/sender/collect.h"

namespace hsops::stats {
namespace {

double seconds_since(const Clock& clock, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(clock.monotonic() - start).count();
}

CheckResult outcome(Status status, std::string summary) {
  CheckResult r;
  r.check = "report-stats";
  r.status = status;
  r.summary = std::move(summary);
  return r;
}

}  // namespace

CheckResult unknown_result(std::string reason) { return outcome(Status::unknown, std::move(reason)); }

Collected collect_report(const ReportStatsConfig& config, const Clock& clock) {
  const auto start = clock.monotonic();
  Collected c;
  pg::Options pg_options;
  pg_options.connect_timeout = config.connect_timeout;
  pg_options.statement_timeout = config.statement_timeout;
  pg_options.application_name = "hsops report-stats";
  auto db = pg::Connection::open(config.database_conninfo, pg_options);
  if (!db) {
    c.result = unknown_result("database: " + db.error().message);
  } else {
    CollectOptions co;
    co.server_name = config.server_name;
    co.server_context = config.server_context;
    co.now_seconds = static_cast<std::int64_t>(unix_seconds(clock.now()));
    if (config.pid_file) co.pid = read_pid_file(*config.pid_file);
    auto report = collect(db.value(), co);
    if (!report) {
      c.result = unknown_result("collect: " + report.error().message);
    } else {
      c.result = report_result(report.value());
      c.report = std::move(report).value();
    }
  }
  c.result.duration_seconds = seconds_since(clock, start);
  return c;
}

Result<std::string> body_to_push(const Report& report, const ReportStatsConfig& config,
                                 const std::filesystem::path& state_dir) {
  std::string secret;
  if (config.anonymise) {
    // Kept in the state dir so the pseudonym stays the same from one push to the next.
    auto s = load_or_create_secret(state_dir / "report-stats.secret");
    if (!s) return s.error();
    secret = std::move(s).value();
  }
  return push_body(report, config, secret).dump();
}

CheckResult push_result(const std::string& body, const ReportStatsConfig& config, const PushSettings& settings,
                        const Clock& clock) {
  const auto start = clock.monotonic();
  const auto sent = push_report(body, config, settings.deadlines, settings.ca_file, settings.user_agent);
  const std::string endpoint = net::redact_url(config.endpoint);
  CheckResult r = sent ? outcome(Status::ok, "pushed to " + endpoint + ": HTTP " + std::to_string(sent->status) +
                                                 " after " + std::to_string(sent->attempts) + " attempt(s)")
                       : outcome(Status::critical, "push to " + endpoint + " failed: " + sent.error().message);
  r.duration_seconds = seconds_since(clock, start);
  return r;
}

}  // namespace hsops::stats
