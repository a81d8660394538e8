#include "checks/example_config.h"

#include <sstream>

#include "checks/registry.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kGlobalPart = R"(# hsops configuration (YAML). Every key is optional; the values shown are the defaults.
# Reference: docs/config.md. Check it with: hsops config validate --config FILE
# Durations: 250ms, 90s, 5m, 1h30m, 2d. Sizes: 4096, 500MB, 8GiB. Thresholds: Nagios ranges.
# Secrets are never written here: use <key>_file (a 0600 file) or <key>_env (a variable name).

# Where checks keep small state files (disk fill samples, ...).
state_dir: /var/lib/hsops

# Deadlines for every HTTP call hsops makes (a peer that accepts and never answers must not
# hang a check).
http:
  connect_timeout: 3s
  timeout: 10s
  # Extra CA bundle to trust besides the system store (TLS verification is always on).
  # ca_file: /etc/hsops/ca.pem

# One section per check. A check with a section runs in `hsops check all` unless it says
# `enabled: false`; disk and clock run even without a section.
checks:
)";

// Indents a check's example under "  <name>:" so it sits inside `checks:`.
std::string indented_section(std::string_view name, std::string_view example) {
  std::ostringstream out;
  out << "  " << name << ":\n";
  out << "    # enabled: true\n";
  std::istringstream lines{std::string(example)};
  std::string line;
  while (std::getline(lines, line)) {
    out << (line.empty() ? "" : "    ") << line << '\n';
  }
  return out.str();
}

}  // namespace

std::string example_config() {
  std::string text(kGlobalPart);
  for (const auto& info : all_checks()) {
    text += '\n';
    text += "  # " + std::string(info.summary) + '\n';
    text += indented_section(info.name, info.example);
  }
  return text;
}

}  // namespace hsops::checks
