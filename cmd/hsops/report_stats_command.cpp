#include "report_stats_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "core/clock.h"
#include "output/nagios.h"
#include "output/prometheus.h"
#include "stats/pseudonym.h"
#include "stats/sender/report_stats.h"

namespace hsops::cli {
namespace {

struct Options {
  std::string format = "nagios";
  bool dry_run = false;
};

[[noreturn]] void fail(const std::string& message) {
  std::cout << "REPORT-STATS UNKNOWN - " << message << '\n';
  std::cout.flush();
  std::_Exit(3);
}

struct Loaded {
  config::GlobalConfig global;
  stats::ReportStatsConfig config;
  stats::Report report;
};

Loaded load_and_collect(const GlobalOptions& options) {
  static const SystemClock clock;
  Loaded l;
  try {
    const auto doc = load_config(options);
    l.global = config::read_global(doc.root());
    l.config = stats::read_report_stats_config(doc.root());
    for (const auto& w : doc.warnings()) std::cerr << "hsops: warning: " << w << '\n';
  } catch (const config::ConfigError& e) {
    fail(std::string("config error: ") + e.what());
  }
  pg::Options pg_options;
  pg_options.connect_timeout = l.config.connect_timeout;
  pg_options.statement_timeout = l.config.statement_timeout;
  pg_options.application_name = "hsops report-stats";
  auto db = pg::Connection::open(l.config.database_conninfo, pg_options);
  if (!db) fail("database: " + db.error().message);
  stats::CollectOptions co;
  co.server_name = l.config.server_name;
  co.server_context = l.config.server_context;
  co.now_seconds = static_cast<std::int64_t>(unix_seconds(clock.now()));
  if (l.config.pid_file) co.pid = stats::read_pid_file(*l.config.pid_file);
  auto report = stats::collect(db.value(), co);
  if (!report) fail("collect: " + report.error().message);
  l.report = std::move(report).value();
  return l;
}

void collect(const Options& o, const GlobalOptions& global) {
  static const SystemClock clock;
  const Loaded l = load_and_collect(global);
  const auto result = stats::report_result(l.report);
  if (o.format == "json") {
    std::cout << l.report.fields.dump(2) << '\n';
  } else if (o.format == "prom") {
    std::cout << output::prometheus_text({result}, unix_seconds(clock.now()));
  } else {
    std::cout << output::nagios_report({result}, global.verbosity);
  }
  std::cout.flush();
  std::_Exit(0);
}

void push(const Options& o, const GlobalOptions& global) {
  const Loaded l = load_and_collect(global);
  std::string secret;
  if (l.config.anonymise) {
    // Kept in the state dir so the pseudonym stays the same from one push to the next.
    auto s = stats::load_or_create_secret(l.global.state_dir / "report-stats.secret");
    if (!s) fail(s.error().message);
    secret = *s;
  }
  const std::string body = stats::push_body(l.report, l.config, secret).dump();
  if (o.dry_run) {
    std::cout << body << '\n';
    std::cout.flush();
    std::_Exit(0);
  }
  const auto sent = stats::push_report(body, l.config, net::Deadlines{l.global.connect_timeout, l.global.request_timeout},
                                       l.global.ca_file, "hsops/" HSOPS_VERSION);
  if (!sent) {
    std::cout << "REPORT-STATS CRITICAL - push to " << net::redact_url(l.config.endpoint) << " failed: "
              << sent.error().message << '\n';
    std::cout.flush();
    std::_Exit(2);
  }
  std::cout << "REPORT-STATS OK - pushed to " << net::redact_url(l.config.endpoint) << ": HTTP " << sent->status
            << " after " << sent->attempts << " attempt(s)\n";
  std::cout.flush();
  std::_Exit(0);
}

}  // namespace

void setup_report_stats_command(CLI::App& app, const GlobalOptions& global) {
  auto* rs = app.add_subcommand("report-stats", "Synapse's usage statistics from its database: print or push them "
                                                "(docs/report-stats.md)");
  rs->require_subcommand(1);
  auto collect_options = std::make_shared<Options>();
  auto* c = rs->add_subcommand("collect", "Compute the report-stats figures like Synapse does and print them");
  c->add_option("--format", collect_options->format, "Output: nagios, json (the report body), prom")
      ->check(CLI::IsMember({"nagios", "json", "prom"}))
      ->capture_default_str();
  c->callback([collect_options, &global] { collect(*collect_options, global); });
  auto push_options = std::make_shared<Options>();
  auto* p = rs->add_subcommand("push", "Compute the figures and PUT them to report_stats.endpoint "
                                       "(anonymised when report_stats.anonymise is true)");
  p->add_flag("--dry-run", push_options->dry_run, "Print the exact body that would be sent, send nothing");
  p->callback([push_options, &global] { push(*push_options, global); });
}

}  // namespace hsops::cli
