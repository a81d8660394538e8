// Which NTP servers to ask when the operator names none: the ones the host's own time daemon
// uses (chrony or ntpd), so the check measures against the same references the daemon trusts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace hsops::checks {

// Where the time daemons keep their config; tests point these at fixtures.
struct TimeDaemonConfigs {
  std::vector<std::filesystem::path> chrony{"/etc/chrony/chrony.conf", "/etc/chrony.conf"};
  std::vector<std::filesystem::path> ntp{"/etc/ntpsec/ntp.conf", "/etc/ntp.conf"};
};

// `server`, `pool` and `peer` lines of a chrony config, following `confdir`, `sourcedir`
// (*.sources) and `include`; a `port N` option becomes "host:N" ("[v6]:N"). Relative paths
// are taken from the file's directory. Unreadable files and directories are skipped.
std::vector<std::string> servers_in_chrony_config(const std::filesystem::path& file);

// `server`, `pool` and `peer` lines of an ntpd/ntpsec config; 127.127.x.x refclocks skipped.
std::vector<std::string> servers_in_ntp_config(const std::filesystem::path& file);

struct DefaultServers {
  std::vector<std::string> servers;
  std::string origin;  // the file they came from, or "built-in default"
};

// The first readable chrony config with servers, else ntp config, else pool.ntp.org.
DefaultServers default_servers(const TimeDaemonConfigs& configs);

}  // namespace hsops::checks
