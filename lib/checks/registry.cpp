#include "checks/registry.h"

#include "checks/appservice/config.h"
#include "checks/bridge/config.h"
#include "checks/clock/config.h"
#include "checks/disk/config.h"
#include "checks/failover_drill/config.h"
#include "checks/failover_follow/config.h"
#include "checks/federation/config.h"
#include "checks/network/config.h"
#include "checks/patroni/config.h"
#include "checks/probe/config.h"
#include "checks/replication/config.h"
#include "checks/wal/config.h"

#include <type_traits>

#include "core/units.h"

namespace hsops::checks {

const std::vector<CheckInfo>& all_checks() {
  // The explicit list: static self-registration is dropped by the linker from static libraries.
  static const std::vector<CheckInfo> kChecks{
      disk_check_info(),
      clock_check_info(),
      wal_check_info(),
      replication_check_info(),
      probe_check_info(),
      federation_check_info(),
      appservice_check_info(),
      bridge_check_info(),
      network_check_info(),
      failover_drill_check_info(),
      failover_follow_check_info(),
      patroni_check_info(),
  };
  return kChecks;
}

const CheckInfo* find_check(std::string_view name) {
  for (const auto& info : all_checks()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::shared_ptr<Check> build_check(const CheckInfo& info, const config::Section& root, const Services& services) {
  const config::Section section = root.child("checks").child(info.name);
  (void)section.boolean("enabled", true);  // read so it is not an unknown key
  return info.make(section, services);
}

std::vector<const CheckInfo*> enabled_checks(const config::Section& root) {
  const config::Section checks_section = root.child("checks");
  for (const auto& key : checks_section.keys()) {
    if (find_check(key) == nullptr) {
      std::string known;
      for (const auto& info : all_checks()) known += (known.empty() ? "" : ", ") + std::string(info.name);
      checks_section.fail(key, "unknown check '" + key + "' (known checks: " + known + ")");
    }
  }
  std::vector<const CheckInfo*> enabled;
  for (const auto& info : all_checks()) {
    const config::Section section = checks_section.child(info.name);
    const bool wanted = section.present() || info.default_enabled;
    if (section.boolean("enabled", wanted)) enabled.push_back(&info);
  }
  return enabled;
}

std::vector<const CheckInfo*> validate_enabled_checks(const config::Section& root, const Services& services) {
  auto enabled = enabled_checks(root);
  for (const auto* info : enabled) info->validate(root.child("checks").child(info->name), services);
  return enabled;
}

std::vector<std::shared_ptr<Check>> build_enabled_checks(const config::Section& root, const Services& services) {
  std::vector<std::shared_ptr<Check>> built;
  for (const auto* info : enabled_checks(root)) built.push_back(info->make(root.child("checks").child(info->name), services));
  return built;
}

std::vector<std::string> check_names() {
  std::vector<std::string> names;
  for (const auto& info : all_checks()) names.emplace_back(info.name);
  return names;
}

std::chrono::milliseconds backstop_for(const Services& services) {
  const Millis budget = services.timeout.value_or(services.global.request_timeout);
  return budget + budget / 2 + Millis(2000);
}

namespace {

// -w/-c text parsed by `parse`; a failure names the flag, the text and an example.
template <typename Parse>
auto from_command_line(const std::optional<std::string>& text, const char* flag, const char* what, const char* example,
                       Parse parse) -> std::optional<std::decay_t<decltype(parse(std::string_view{}).value())>> {
  if (!text) return std::nullopt;
  auto parsed = parse(*text);
  if (!parsed) {
    throw config::ConfigError(config::Location{"command line", 0, 0}, flag,
                              std::string("bad ") + what + " '" + *text + "': " + parsed.error().message + example);
  }
  return parsed.value();
}

}  // namespace

std::optional<Range> cli_range(const std::optional<std::string>& text, const char* flag, Figure figure) {
  return from_command_line(text, flag, "range", "", [figure](std::string_view t) { return parse_range(t, figure); });
}

std::optional<std::uint64_t> cli_size(const std::optional<std::string>& text, const char* flag) {
  return from_command_line(text, flag, "size", " (e.g. 1GiB)", [](std::string_view t) { return parse_size(t); });
}

std::optional<Millis> cli_duration(const std::optional<std::string>& text, const char* flag) {
  return from_command_line(text, flag, "duration", " (e.g. 5m)", [](std::string_view t) { return parse_duration(t); });
}

}  // namespace hsops::checks
