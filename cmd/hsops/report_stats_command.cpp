#include "report_stats_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "core/clock.h"
#include "core/status.h"
#include "output/render.h"
#include "stats/sender/report_stats.h"
#include "stats/sender/run.h"

namespace hsops::cli {
namespace {

struct Options {
  std::string format = "nagios";
  bool dry_run = false;
};

// Prints the outcome like `hsops check` does and exits with its status: monitoring systems
// read stdout and the exit code. _Exit: a network client may still hold a thread.
[[noreturn]] void finish(const CheckResult& result, output::Format format, int verbosity) {
  static const SystemClock clock;
  std::cout << output::render({result}, format, verbosity, unix_seconds(clock.now()));
  std::cout.flush();
  std::_Exit(exit_code(result.status));
}

struct Loaded {
  config::GlobalConfig global;
  stats::ReportStatsConfig config;
};

Loaded load(const GlobalOptions& options, output::Format format) {
  try {
    const auto doc = load_config(options);
    Loaded l{config::read_global(doc.root()), stats::read_report_stats_config(doc.root())};
    for (const auto& w : doc.warnings()) std::cerr << "hsops: warning: " << w << '\n';
    return l;
  } catch (const config::ConfigError& e) {
    finish(stats::unknown_result(std::string("config error: ") + e.what()), format, options.verbosity);
  }
}

stats::Report collected_or_exit(const stats::ReportStatsConfig& config, output::Format format, int verbosity) {
  static const SystemClock clock;
  auto collected = stats::collect_report(config, clock);
  if (!collected.report) finish(collected.result, format, verbosity);
  return std::move(*collected.report);
}

void collect(const Options& o, const GlobalOptions& global) {
  const auto format = output::parse_format(o.format).value_or(output::Format::nagios);
  const Loaded l = load(global, format);
  const stats::Report report = collected_or_exit(l.config, format, global.verbosity);
  if (format == output::Format::json) {
    // json is the report body itself (what push would send before anonymising).
    std::cout << report.fields.dump(2) << '\n';
    std::cout.flush();
    std::_Exit(0);
  }
  finish(stats::report_result(report), format, global.verbosity);
}

void push(const Options& o, const GlobalOptions& global) {
  static const SystemClock clock;
  const auto format = output::Format::nagios;
  const Loaded l = load(global, format);
  const stats::Report report = collected_or_exit(l.config, format, global.verbosity);
  const auto body = stats::body_to_push(report, l.config, l.global.state_dir);
  if (!body) finish(stats::unknown_result(body.error().message), format, global.verbosity);
  if (o.dry_run) {
    std::cout << body.value() << '\n';
    std::cout.flush();
    std::_Exit(0);
  }
  const stats::PushSettings settings{l.global.state_dir, net::Deadlines{l.global.connect_timeout, l.global.request_timeout},
                                     l.global.ca_file, "hsops/" HSOPS_VERSION};
  finish(stats::push_result(body.value(), l.config, settings, clock), format, global.verbosity);
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
