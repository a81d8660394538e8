// Lint for the scripts that run when an interface comes up or a DHCP lease changes: the
// up/pre-up/post-up/down/pre-down/post-down lines of /etc/network/interfaces (and the files it
// sources), and dhclient's enter/exit hooks. In the outage a post-up script called `ip`
// assuming /sbin was on the PATH: every command must resolve on the PATH those hooks run with.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace hsops::checks::network {

// PATH that ifupdown gives to interface hook commands, and that dhclient gives its script
// (and so the hooks the script sources). `hook_path` in the config overrides both.
inline constexpr const char* kIfupdownPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
inline constexpr const char* kDhclientPath = "/usr/ucb:/usr/bin:/usr/sbin:/bin:/sbin";

struct HookSources {
  // /etc/network/interfaces; `source` and `source-directory` lines in it are followed (globs too).
  std::vector<std::filesystem::path> interfaces_files{"/etc/network/interfaces"};
  // Files and directories of shell hooks sourced by dhclient-script.
  std::vector<std::filesystem::path> dhclient_hooks{"/etc/dhcp/dhclient-enter-hooks", "/etc/dhcp/dhclient-enter-hooks.d",
                                                    "/etc/dhcp/dhclient-exit-hooks", "/etc/dhcp/dhclient-exit-hooks.d"};
  // Empty = kIfupdownPath / kDhclientPath.
  std::string ifupdown_path;
  std::string dhclient_path;
};

// A command that will not run: e.g. {"/etc/network/interfaces", 12, "ip", "post-up",
// "'ip' is not on the PATH these hooks run with (/usr/bin:/bin): write /usr/sbin/ip"}.
struct HookFinding {
  std::string file;
  int line = 0;
  std::string command;  // the word as written
  std::string context;  // "post-up", "dhclient exit hook", ...
  std::string problem;  // one sentence: what is wrong and what to do
};

// `iface eth0 inet dhcp` (or inet6 dhcp): an interface configured for DHCP.
struct DhcpStanza {
  std::string file;
  int line = 0;
  std::string interface;
  std::string family;  // "inet" or "inet6"
};

struct HookLint {
  std::vector<HookFinding> findings;
  std::vector<DhcpStanza> dhcp_interfaces;
  std::vector<std::string> problems;  // "<file>: cannot read: <why>" (a missing default file is not a problem)
  int commands_checked = 0;
};

// Whether `name` is an executable regular file (tests inject a fake filesystem).
using IsExecutableFn = std::function<bool(const std::filesystem::path&)>;
bool is_executable_real(const std::filesystem::path& path);

// Whether anything is at `path`: only used to word a finding ("does not exist" vs "is not
// executable"), so tests can inject it beside is_executable.
using PathExistsFn = std::function<bool(const std::filesystem::path&)>;
bool path_exists_real(const std::filesystem::path& path);

HookLint lint_hooks(const HookSources& sources, const IsExecutableFn& is_executable = is_executable_real,
                    const PathExistsFn& path_exists = path_exists_real);

// The commands a line of shell runs (first word of each simple command, after `;`, `&&`,
// `||`, `|`, `$(`, backquotes, `if`/`then`/... and VAR=value prefixes), without builtins,
// keywords, words starting with `$`, and names in `functions`. Exposed for tests.
std::vector<std::string> commands_in_shell_line(const std::string& line, const std::vector<std::string>& functions = {});

}  // namespace hsops::checks::network
