#include "alerts_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "checks/registry.h"
#include "core/clock.h"
#include "watchdog/alerts_client.h"
#include "watchdog/config.h"

namespace hsops::cli {
namespace {

struct AlertsOptions {
  std::string url;
  std::string format = "text";
  std::string id;
  std::string check;
  std::string alert;
  std::string duration;
  std::string comment;
  std::string by;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "hsops alerts: " << message << '\n';
  std::exit(1);
}

// Where the watchdog listens and its token: from the same hsops.yaml it runs on.
watchdog::AlertsClient client_for(const AlertsOptions& o, const GlobalOptions& global) {
  watchdog::AlertsClient c;
  try {
    const auto doc = load_config(global);
    const auto root = doc.root();
    const auto w = watchdog::read_watchdog_config(root, config::read_global(root), checks::check_names());
    c.base_url = o.url.empty() ? watchdog::watchdog_url(w.listen) : o.url;
    c.token = w.api_token;
  } catch (const config::ConfigError& e) {
    fail(std::string("config error: ") + e.what());
  }
  if (c.base_url.back() == '/') c.base_url.pop_back();
  if (const char* env = std::getenv("HSOPS_WATCHDOG_TOKEN"); c.token.empty() && env != nullptr) c.token = env;
  return c;
}

std::string who(const AlertsOptions& o) {
  if (!o.by.empty()) return o.by;
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "hsops-cli";
}

void list(const AlertsOptions& o, const GlobalOptions& global) {
  const auto got = watchdog::fetch_alerts(client_for(o, global));
  if (!got) fail(got.error().message);
  if (o.format == "json") {
    std::cout << got->dump(2) << '\n';
  } else {
    static const SystemClock clock;
    std::cout << watchdog::alerts_text(*got, unix_seconds(clock.now()));
  }
}

void ack(const AlertsOptions& o, const GlobalOptions& global) {
  const auto done = watchdog::post_ack(client_for(o, global), o.id, who(o), o.duration, o.comment);
  if (!done) fail(done.error().message);
  std::cout << "acked " << done->value("id", o.id) << " (" << done->value("fingerprint", "") << ") as " << who(o)
            << (o.duration.empty() ? " until it resolves" : " for " + o.duration) << '\n';
}

void silence(const AlertsOptions& o, const GlobalOptions& global) {
  const auto done = watchdog::post_silence(client_for(o, global), o.check, o.alert, o.duration, who(o), o.comment);
  if (!done) fail(done.error().message);
  std::cout << "silenced " << o.check << (o.alert.empty() ? "" : " alert " + o.alert) << " for " << o.duration
            << " as " << who(o) << '\n';
}

}  // namespace

void setup_alerts_command(CLI::App& app, const GlobalOptions& global) {
  auto options = std::make_shared<AlertsOptions>();
  auto* alerts = app.add_subcommand("alerts", "The running hsops-watchdog's alerts: list, ack, silence "
                                              "(over its HTTP API at watchdog.listen; docs/watchdog.md)");
  alerts->require_subcommand(1);
  alerts->fallthrough();  // --url may follow the subcommand
  alerts->add_option("--url", options->url, "The watchdog's API (default: http://<watchdog.listen> from the config)")
      ->option_text("URL");

  auto* l = alerts->add_subcommand("list", "Active alerts: id, severity, check, since, tier, who acked, next page; "
                                           "then the silences");
  l->add_option("--format", options->format, "text or json (the /api/v1/alerts document)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  l->callback([options, &global] { list(*options, global); });

  // Acks and silences need watchdog.api_token_file (or HSOPS_WATCHDOG_TOKEN): never on argv.
  auto* a = alerts->add_subcommand("ack", "Acknowledge an alert: stops its escalation and repeats (token: "
                                          "watchdog.api_token_file or $HSOPS_WATCHDOG_TOKEN)");
  a->add_option("id", options->id, "The alert's id (from hsops alerts list) or fingerprint")->required();
  a->add_option("--for", options->duration, "Make the ack expire (e.g. 2h): paging resumes if still failing")
      ->option_text("DURATION");
  a->add_option("--comment", options->comment, "Why, for the others paged (shown in the room)")->option_text("TEXT");
  a->add_option("--by", options->by, "Who acks (default: $USER)")->option_text("NAME");
  a->callback([options, &global] { ack(*options, global); });

  auto* s = alerts->add_subcommand("silence", "Page nothing for a check's alerts for a while (maintenance); they "
                                              "are still tracked and listed");
  s->add_option("check", options->check, "The check (disk, wal, probe, ...)")->required();
  s->add_option("--for", options->duration, "How long (e.g. 2h)")->option_text("DURATION")->required();
  s->add_option("--alert", options->alert, "Only this alert of the check (id or fingerprint)")->option_text("ID");
  s->add_option("--comment", options->comment, "Why")->option_text("TEXT");
  s->add_option("--by", options->by, "Who silences (default: $USER)")->option_text("NAME");
  s->callback([options, &global] { silence(*options, global); });
}

}  // namespace hsops::cli
