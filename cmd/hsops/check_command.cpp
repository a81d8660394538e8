#include "check_command.h"

#include <iostream>
#include <memory>

#include "checks/registry.h"
#include "checks/runner.h"
#include "core/clock.h"
#include "output/prometheus.h"
#include "output/render.h"
#include "output/textfile.h"

namespace hsops::cli {
namespace {

struct CheckOptions {
  std::string format = "nagios";
  std::string textfile;
  std::string warning;
  std::string critical;
  std::string timeout;
};

// Exit code 3 with a Nagios-readable line on stdout: monitoring systems read only stdout.
[[noreturn]] void exit_unknown(const std::string& what, const std::string& name) {
  std::string label = name == "all" ? std::string("hsops") : name;
  for (auto& c : label) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::cout << label << " UNKNOWN - " << what << '\n';
  std::cout.flush();
  std::_Exit(exit_code(Status::unknown));
}

// The checks to run. Every enabled section is validated either way (a typo anywhere is an
// error), but a single `check <name>` builds only that check: another check's make() may open
// its state file or clients. -w/-c belong to the named check; the others are validated without.
std::vector<std::shared_ptr<Check>> build_checks(const std::string& name, const config::Section& root,
                                                 const checks::Services& services) {
  if (name == "all") return checks::build_enabled_checks(root, services);
  checks::Services without_overrides = services;
  without_overrides.warning.reset();
  without_overrides.critical.reset();
  (void)checks::validate_enabled_checks(root, without_overrides);
  return {};
}

void run_checks(const std::string& name, const CheckOptions& options, const GlobalOptions& global) {
  static const SystemClock clock;
  std::vector<std::shared_ptr<Check>> checks;
  checks::Services services{.clock = clock};
  try {
    if (!options.timeout.empty()) {
      auto t = parse_duration(options.timeout);
      if (!t.ok() || t.value().count() <= 0) exit_unknown("-t/--timeout: " + (t.ok() ? "must be positive" : t.error().message), name);
      services.timeout = t.value();
    }
    if (!options.warning.empty()) services.warning = options.warning;
    if (!options.critical.empty()) services.critical = options.critical;

    const config::Document doc = load_config(global);
    const config::Section root = doc.root();
    services.global = config::read_global(root);
    checks = build_checks(name, root, services);
    (void)read_other_sections(root, services.global, checks::check_names());
    root.reject_unknown_keys();
    for (const auto& w : doc.warnings()) std::cerr << "hsops: warning: " << w << '\n';
    // The named check reads -w/-c in its own units (a size, a duration or a number).
    if (name != "all") checks = {checks::build_check(*checks::find_check(name), root, services)};
  } catch (const config::ConfigError& e) {
    exit_unknown(std::string("config error: ") + e.what(), name);
  }
  if (checks.empty()) exit_unknown("no check is enabled in the config", name);

  auto [results, overall] = checks::run_all(checks, clock, checks::backstop_for(services));
  const double now = unix_seconds(clock.now());
  std::cout << output::render(results, output::parse_format(options.format).value_or(output::Format::nagios), global.verbosity, now);
  if (!options.textfile.empty()) {
    auto written = output::write_file_atomically(options.textfile, output::prometheus_text(results, now));
    if (!written.ok()) {
      std::cerr << "hsops: " << written.error().message << '\n';
      overall = worst(overall, Status::unknown);
    }
  }
  std::cout.flush();
  // _Exit: a check that overran its backstop may still hold a thread; do not wait for it.
  std::_Exit(exit_code(overall));
}

void add_check_options(CLI::App& sub, const std::shared_ptr<CheckOptions>& options, std::string_view threshold_help,
                       bool thresholds) {
  sub.add_option("--format", options->format, "Output: nagios (one line per check + perfdata, exit 0-3), "
                                               "json (docs/json.md), prom (Prometheus text)")
      ->check(CLI::IsMember({"nagios", "json", "prom"}))
      ->capture_default_str();
  sub.add_option("--textfile", options->textfile,
                 "Also write the results as Prometheus text to PATH, atomically (node_exporter textfile collector)")
      ->option_text("PATH");
  if (thresholds) {
    const std::string what = threshold_help.empty() ? std::string("(see the check's docs)") : std::string(threshold_help);
    sub.add_option("-w,--warning", options->warning, "Warning threshold (Nagios range). " + what)->option_text("RANGE");
    sub.add_option("-c,--critical", options->critical, "Critical threshold (Nagios range). " + what)->option_text("RANGE");
  }
  sub.add_option("-t,--timeout", options->timeout,
                 "Deadline for each network call or probe of the check (e.g. 5s); default from config (http.timeout, 10s)")
      ->option_text("DURATION");
}

}  // namespace

void setup_check_command(CLI::App& app, const GlobalOptions& global) {
  auto* check = app.add_subcommand("check", "Run health checks; exit code follows Nagios (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)");
  check->require_subcommand(1);

  auto all_options = std::make_shared<CheckOptions>();
  auto* all = check->add_subcommand("all", "Run every enabled check (default: disk and clock of this host); "
                                           "one line per check, exit code of the worst");
  add_check_options(*all, all_options, "", false);  // -w/-c make sense only for one check's figure
  all->callback([all_options, &global] { run_checks("all", *all_options, global); });

  for (const auto& info : checks::all_checks()) {
    auto options = std::make_shared<CheckOptions>();
    auto* sub = check->add_subcommand(std::string(info.name), std::string(info.summary));
    add_check_options(*sub, options, info.threshold_help, !info.threshold_help.empty());
    const std::string name(info.name);
    sub->callback([options, name, &global] { run_checks(name, *options, global); });
  }
}

}  // namespace hsops::cli
