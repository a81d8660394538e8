#include "stats/sender/report_stats.h"

#include <fstream>

#include "pg/target.h"
#include "stats/pseudonym.h"

namespace hsops::stats {

ReportStatsConfig read_report_stats_config(const config::Section& root) {
  const auto s = root.child("report_stats");
  if (!s.present()) root.fail("report_stats", "add a report_stats section (docs/report-stats.md)");
  ReportStatsConfig c;
  c.server_name = s.string("server_name", "");
  if (c.server_name.empty()) s.fail("server_name", "is required: Synapse's server_name");
  c.server_context = s.optional_string("server_context");
  const auto db = s.child("database");
  if (db.string("conninfo", "").empty()) s.fail("database", "database.conninfo (libpq conninfo of Synapse's database) is required");
  const pg::Target target = pg::read_target(db, pg::Options{c.connect_timeout, c.statement_timeout}, "is required");
  c.database_conninfo = pg::full_conninfo(target);
  c.connect_timeout = target.options.connect_timeout;
  c.statement_timeout = target.options.statement_timeout;
  db.reject_unknown_keys();
  c.pid_file = s.optional_string("pid_file");
  c.endpoint = s.string("endpoint", c.endpoint);
  if (c.endpoint.rfind("https://", 0) != 0 && c.endpoint.rfind("http://", 0) != 0) {
    s.fail("endpoint", "must be an http:// or https:// URL");
  }
  c.anonymise = s.boolean("anonymise", c.anonymise);
  c.drop_fields = s.strings("drop_fields", {});
  for (const auto& f : c.drop_fields) {
    if (f == "homeserver") s.fail("drop_fields", "homeserver cannot be dropped (collectors need it); use anonymise: true");
    if (find_field(f) == nullptr) s.fail("drop_fields", "unknown field '" + f + "' (docs/report-stats.md lists them)");
  }
  c.attempts = static_cast<int>(s.integer_in("attempts", c.attempts, 1, 10));
  s.reject_unknown_keys();
  return c;
}

std::optional<int> read_pid_file(const std::string& path) {
  std::ifstream in(path);
  int pid = 0;
  if (in >> pid && pid > 0) return pid;
  return std::nullopt;
}

nlohmann::json push_body(const Report& report, const ReportStatsConfig& config, const std::string& secret) {
  nlohmann::json body = report.fields;
  for (const auto& f : config.drop_fields) body.erase(f);
  if (config.anonymise) body["homeserver"] = pseudonym(secret, report.homeserver());
  return body;
}

Result<net::Response> push_report(const std::string& body, const ReportStatsConfig& config,
                                  const net::Deadlines& deadlines, const std::string& ca_file,
                                  const std::string& user_agent) {
  net::Request r;
  r.method = "PUT";
  r.url = config.endpoint;
  r.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}, {"User-Agent", user_agent}};
  r.body = body;
  r.deadlines = deadlines;
  r.ca_file = ca_file;
  // PUT of the same report is idempotent for a collector that counts a server once a day.
  r.retry.attempts = config.attempts;
  r.retry.on_5xx = true;
  r.max_body_bytes = 64 * 1024;
  auto res = net::perform(r);
  if (!res) return res.error();
  if (res->status < 200 || res->status >= 300) {
    return Error{ErrorKind::http, net::redact_url(config.endpoint) + " answered HTTP " + std::to_string(res->status) +
                             (res->body.size() <= 300 ? ": " + res->body : std::string())};
  }
  return res;
}

CheckResult report_result(const Report& report) {
  CheckResult r;
  r.check = "report-stats";
  r.status = Status::ok;
  r.summary = std::to_string(report.count("total_users")) + " users, " + std::to_string(report.count("daily_active_users")) +
              " active today, " + std::to_string(report.count("monthly_active_users")) + " active in 30 days, " +
              std::to_string(report.count("daily_messages")) + " messages in 24 h";
  for (const auto& spec : report_fields()) {
    if (spec.type != FieldType::count || spec.name == "timestamp" || !report.has(spec.name)) continue;
    Measurement m;
    m.label = std::string(spec.name);
    m.value = static_cast<double>(report.count(spec.name));
    m.metric = "hsops_report_stats_figure";
    m.metric_labels = {{"figure", std::string(spec.name)}};
    m.help = "A figure of the homeserver's report-stats body, computed like Synapse does";
    r.measurements.push_back(std::move(m));
  }
  return r;
}

}  // namespace hsops::stats
