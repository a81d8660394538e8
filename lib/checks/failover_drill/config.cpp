#include "checks/failover_drill/config.h"

#include "checks/common/fit_options.h"
#include "checks/failover_drill/check.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # on where `hsops failover drill` runs (dist/hsops-failover-drill.timer)
# The playbook the drill runs; its state_dir holds last-drill.json and last-good-drill.json.
# playbook: /etc/hsops/playbook.yaml
# Or the state directory itself (instead of playbook), e.g. on a host without the playbook.
# state_dir: /var/lib/hsops/failover
# The last good drill older than this is CRITICAL (-c sets it): a weekly timer plus a day.
# max_age: 8d
# The last drill's RTO above this is WARNING (-w sets it); unset: no RTO rule.
# rto_budget: 120s
)";

constexpr std::string_view kThresholdHelp =
    "-w: the RTO budget (a duration such as 90s, replacing rto_budget): a longer RTO is WARNING. "
    "-c: the maximum age of the last good drill (such as 8d, replacing max_age): older is CRITICAL.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return failover_drill::make_failover_drill_check(read_failover_drill_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) {
  (void)read_failover_drill_options(section, services);
}

std::filesystem::path absolute_path(const config::Section& s, std::string_view key, const std::string& fallback) {
  const std::string text = s.string(key, fallback);
  if (text.empty() || text.front() != '/') s.fail(key, "must be an absolute path");
  return text;
}

}  // namespace

failover_drill::Options read_failover_drill_options(const config::Section& s, const Services& services) {
  failover_drill::Options o;
  if (s.has("playbook") && s.has("state_dir")) {
    s.fail("state_dir", "set either playbook (its state_dir is used) or state_dir, not both");
  }
  o.playbook = absolute_path(s, "playbook", o.playbook.string());
  if (s.has("state_dir")) o.state_dir = absolute_path(s, "state_dir", "");
  auto& t = o.thresholds;
  t.max_age = positive_seconds(s, "max_age", t.max_age);
  if (s.has("rto_budget")) {
    t.rto_budget_seconds = static_cast<double>(s.positive_duration("rto_budget", Millis(1)).count()) / 1000.0;
  }
  s.reject_unknown_keys();
  if (auto w = cli_duration(services.warning, "-w")) {
    if (w->count() <= 0) throw config::ConfigError(config::Location{"command line", 0, 0}, "-w", "the RTO budget must be positive");
    t.rto_budget_seconds = static_cast<double>(w->count()) / 1000.0;
  }
  if (auto c = cli_duration(services.critical, "-c")) {
    if (c->count() <= 0) throw config::ConfigError(config::Location{"command line", 0, 0}, "-c", "max_age must be positive");
    t.max_age = std::chrono::duration_cast<std::chrono::seconds>(*c);
  }
  return o;
}

CheckInfo failover_drill_check_info() {
  return CheckInfo{"failover_drill",
                   "the last failover drill: succeeded, recent enough (max_age), RTO within budget",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
