#include "checks/failover_follow/config.h"

#include "checks/common/fit_options.h"
#include "checks/failover_follow/check.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # on where `hsops failover follow` runs (dist/hsops-failover-follow.service)
# The playbook the follower runs; its state_dir holds follow.json.
# playbook: /etc/hsops/playbook.yaml
# Or the state directory itself (instead of playbook), e.g. on a host without the playbook.
# state_dir: /var/lib/hsops/failover
# The follower's heartbeat older than this is CRITICAL (-c sets it): it writes every 10 s.
# stale_after: 60s
# A leader change the homeserver followed is WARNING for this long (-w sets it): a notice.
# changed_window: 15m
)";

constexpr std::string_view kThresholdHelp =
    "-w: how long a followed leader change stays WARNING (a duration such as 15m, replacing changed_window). "
    "-c: the heartbeat age after which the follower counts as down (such as 60s, replacing stale_after): CRITICAL.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return failover_follow::make_failover_follow_check(read_failover_follow_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) {
  (void)read_failover_follow_options(section, services);
}

std::filesystem::path absolute_path(const config::Section& s, std::string_view key, const std::string& fallback) {
  const std::string text = s.string(key, fallback);
  if (text.empty() || text.front() != '/') s.fail(key, "must be an absolute path");
  return text;
}

std::chrono::seconds cli_seconds(const std::optional<std::string>& text, const char* flag, const char* what) {
  const auto d = cli_duration(text, flag);
  if (d->count() < 1000) throw config::ConfigError(config::Location{"command line", 0, 0}, flag, std::string(what) + " must be at least 1s");
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

}  // namespace

failover_follow::Options read_failover_follow_options(const config::Section& s, const Services& services) {
  failover_follow::Options o;
  if (s.has("playbook") && s.has("state_dir")) {
    s.fail("state_dir", "set either playbook (its state_dir is used) or state_dir, not both");
  }
  o.playbook = absolute_path(s, "playbook", o.playbook.string());
  if (s.has("state_dir")) o.state_dir = absolute_path(s, "state_dir", "");
  auto& t = o.thresholds;
  t.stale_after = positive_seconds(s, "stale_after", t.stale_after);
  t.changed_window = positive_seconds(s, "changed_window", t.changed_window);
  s.reject_unknown_keys();
  if (services.warning) t.changed_window = cli_seconds(services.warning, "-w", "the changed window");
  if (services.critical) t.stale_after = cli_seconds(services.critical, "-c", "stale_after");
  return o;
}

CheckInfo failover_follow_check_info() {
  return CheckInfo{"failover_follow",
                   "the failover follower: alive (stale_after), a Patroni leader, the homeserver followed the last "
                   "leader change",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
