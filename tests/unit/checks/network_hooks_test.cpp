#include <catch2/catch.hpp>

#include "checks/network/hooks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>

using namespace hsops::checks::network;
namespace fs = std::filesystem;

namespace {
const fs::path kFixtures = fs::path(HSOPS_FIXTURES_DIR) / "network" / "hooks";

// A machine that does not depend on the one running the tests: what is executable, and what
// exists without being executable.
struct FakeFs {
  std::set<std::string> executables{"/usr/sbin/ip",  "/usr/sbin/ethtool", "/usr/bin/logger",
                                     "/usr/bin/wg-quick", "/usr/bin/cut",  "/bin/cat",
                                     "/usr/local/sbin/nsupdate-wrapper"};
  std::set<std::string> plain_files{"/usr/local/bin/dhcp-notify"};

  IsExecutableFn is_executable() const {
    return [this](const fs::path& p) { return executables.count(p.string()) != 0; };
  }
  PathExistsFn exists() const {
    return [this](const fs::path& p) { return executables.count(p.string()) != 0 || plain_files.count(p.string()) != 0; };
  }
};

HookSources interfaces_only(std::vector<fs::path> files, std::string path = "/usr/bin:/bin") {
  HookSources s;
  s.interfaces_files = std::move(files);
  s.dhclient_hooks.clear();
  s.ifupdown_path = std::move(path);
  return s;
}

HookSources dhclient_only(std::vector<fs::path> hooks) {
  HookSources s;
  s.interfaces_files.clear();
  s.dhclient_hooks = std::move(hooks);
  return s;
}

std::vector<std::string> commands(const std::vector<HookFinding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.command);
  return out;
}

// A scratch directory for the tests that need a real file.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hsops-hooks-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};
}  // namespace

TEST_CASE("shell line: separators and pipes", "[network][hooks]") {
  CHECK(commands_in_shell_line("a && b || c; d | e") == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(commands_in_shell_line("a & b") == std::vector<std::string>{"a", "b"});
}

TEST_CASE("shell line: VAR=value prefixes are skipped", "[network][hooks]") {
  CHECK(commands_in_shell_line("FOO=1 ip route") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("FOO=1 BAR='a b' ip route") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("FOO=1").empty());
}

TEST_CASE("shell line: keywords and builtins are not commands", "[network][hooks]") {
  CHECK(commands_in_shell_line("if [ -x /x ]; then ip link; fi") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("while ! ping -c1 gw; do sleep 1; done") == std::vector<std::string>{"ping", "sleep"});
  CHECK(commands_in_shell_line("{ echo x; printf y; } 2>/dev/null").empty());
  CHECK(commands_in_shell_line("for i in a b c; do logger $i; done") == std::vector<std::string>{"logger"});
}

TEST_CASE("shell line: command substitutions are scanned and dollar words not judged", "[network][hooks]") {
  CHECK(commands_in_shell_line("echo $(hostname)") == std::vector<std::string>{"hostname"});
  CHECK(commands_in_shell_line("echo \"`uname -r` $(id -u)\"") == std::vector<std::string>{"uname", "id"});
  CHECK(commands_in_shell_line("$IP route add x").empty());
  CHECK(commands_in_shell_line("$(which ip) route") == std::vector<std::string>{"which"});
  CHECK(commands_in_shell_line("\"${IP:-ip}\" route").empty());
  CHECK(commands_in_shell_line("n=$((n + 1))").empty());
}

TEST_CASE("shell line: redirections and comments", "[network][hooks]") {
  CHECK(commands_in_shell_line("ip route add x 2>&1 >/dev/null | logger") == std::vector<std::string>{"ip", "logger"});
  CHECK(commands_in_shell_line("2>/dev/null ip link") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("cat <<-'EOF'") == std::vector<std::string>{"cat"});
  CHECK(commands_in_shell_line("# ip route").empty());
  CHECK(commands_in_shell_line("ip link # set up") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("sudo ip link") == std::vector<std::string>{"sudo"});  // the wrapper is judged
}

TEST_CASE("shell line: functions defined or passed in are not commands", "[network][hooks]") {
  CHECK(commands_in_shell_line("log_route x && ip link", {"log_route"}) == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("flush() { ip route flush x; }") == std::vector<std::string>{"ip"});
  CHECK(commands_in_shell_line("flush () {").empty());
  CHECK(commands_in_shell_line("function flush {").empty());
}

TEST_CASE("shell line: case patterns are not commands", "[network][hooks]") {
  CHECK(commands_in_shell_line("BOUND|RENEW|REBIND)").empty());
  CHECK(commands_in_shell_line("*) logger other ;;") == std::vector<std::string>{"logger"});
  CHECK(commands_in_shell_line("case \"$reason\" in BOUND) ip link ;; esac") == std::vector<std::string>{"ip"});
  // A subshell's closing parenthesis is not a pattern.
  CHECK(commands_in_shell_line("(cd /tmp && ls)") == std::vector<std::string>{"ls"});
}

TEST_CASE("interfaces: a bare command missing from the hook PATH names file and line and the absolute path",
          "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "interfaces"}), fake.is_executable(), fake.exists());
  const auto main_file = (kFixtures / "interfaces").string();
  REQUIRE(lint.findings.size() == 4);
  const auto& ip = lint.findings[1];
  CHECK(ip.file == main_file);
  CHECK(ip.line == 13);
  CHECK(ip.command == "ip");
  CHECK(ip.context == "post-up");
  CHECK(ip.problem == "'ip' is not on the PATH these hooks run with (/usr/bin:/bin): write /usr/sbin/ip");

  const auto& ethtool = lint.findings[3];
  CHECK(ethtool.line == 15);
  CHECK(ethtool.context == "up");
  CHECK(ethtool.problem == "'ethtool' is not on the PATH these hooks run with (/usr/bin:/bin): write /usr/sbin/ethtool");
}

TEST_CASE("interfaces: an absolute path that does not exist", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "interfaces"}), fake.is_executable(), fake.exists());
  REQUIRE(lint.findings.size() == 4);
  CHECK(lint.findings[2].command == "/sbin/ipx");
  CHECK(lint.findings[2].line == 14);
  CHECK(lint.findings[2].problem == "'/sbin/ipx' does not exist");
}

TEST_CASE("interfaces: source and source-directory are followed and the include loop ends", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "interfaces"}), fake.is_executable(), fake.exists());
  // interfaces.d/bridges first (the source line comes first), the relative path found there;
  // interfaces.d/loop sources the main file again and is stopped; sources/vpn is clean and
  // sources/vpn.dpkg-old is not a run-parts name.
  REQUIRE(lint.findings.size() == 4);
  CHECK(lint.findings[0].file == (kFixtures / "interfaces.d" / "bridges").string());
  CHECK(lint.findings[0].line == 5);
  CHECK(lint.findings[0].command == "./fix-routes.sh");
  CHECK(lint.findings[0].problem.find("relative path") != std::string::npos);
  CHECK(commands(lint.findings) == std::vector<std::string>{"./fix-routes.sh", "ip", "/sbin/ipx", "ethtool"});
  // bridges 2 + vpn 2 + interfaces 5 (ip, /sbin/ipx, ethtool, /usr/sbin/ip, logger).
  CHECK(lint.commands_checked == 9);
  CHECK(lint.problems.empty());
}

TEST_CASE("interfaces: continuation lines report the physical line a command starts on", "[network][hooks]") {
  TempDir dir;
  const auto file = dir.write("interfaces",
                              "iface eth0 inet static\n"
                              "\tpre-down /usr/sbin/ip route del x \\\n"
                              "\t\tvia y ; \\\n"
                              "\t\tmissing-tool -t ifdown\n");
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({file}), fake.is_executable(), fake.exists());
  REQUIRE(lint.findings.size() == 1);
  CHECK(lint.findings[0].command == "missing-tool");
  CHECK(lint.findings[0].line == 4);
  CHECK(lint.findings[0].context == "pre-down");
  CHECK(lint.commands_checked == 2);
}

TEST_CASE("interfaces: clean lines give no findings but are counted", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "sources" / "vpn"}), fake.is_executable(), fake.exists());
  CHECK(lint.findings.empty());
  CHECK(lint.commands_checked == 2);
  CHECK(lint.problems.empty());
}

TEST_CASE("interfaces: dhcp stanzas are reported", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "interfaces"}), fake.is_executable(), fake.exists());
  REQUIRE(lint.dhcp_interfaces.size() == 2);
  CHECK(lint.dhcp_interfaces[0].interface == "eth0");
  CHECK(lint.dhcp_interfaces[0].family == "inet");
  CHECK(lint.dhcp_interfaces[0].line == 11);
  CHECK(lint.dhcp_interfaces[1].family == "inet6");
  CHECK(lint.dhcp_interfaces[1].line == 20);
}

TEST_CASE("interfaces: the default PATH has /usr/sbin so ip resolves", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(interfaces_only({kFixtures / "interfaces"}, ""), fake.is_executable(), fake.exists());
  CHECK(commands(lint.findings) == std::vector<std::string>{"./fix-routes.sh", "/sbin/ipx"});
}

TEST_CASE("dhclient hooks: functions and heredocs and case patterns are not commands", "[network][hooks]") {
  FakeFs fake;
  const auto lint = lint_hooks(dhclient_only({kFixtures / "dhcp" / "dhclient-enter-hooks", kFixtures / "dhcp" / "dhclient-exit-hooks.d"}),
                               fake.is_executable(), fake.exists());
  REQUIRE(lint.findings.size() == 2);

  const auto& notify = lint.findings[0];
  CHECK(notify.file == (kFixtures / "dhcp" / "dhclient-enter-hooks").string());
  CHECK(notify.line == 6);
  CHECK(notify.context == "dhclient enter hook");
  CHECK(notify.problem == "'/usr/local/bin/dhcp-notify' is not executable");

  // log_route and flush_vpn are defined in the file; `route` in the heredoc body is data;
  // ntp.dpkg-old is not sourced by dhclient-script.
  const auto& wrapper = lint.findings[1];
  CHECK(wrapper.file == (kFixtures / "dhcp" / "dhclient-exit-hooks.d" / "vpn-routes").string());
  CHECK(wrapper.line == 33);
  CHECK(wrapper.command == "nsupdate-wrapper");
  CHECK(wrapper.context == "dhclient exit hook");
  CHECK(wrapper.problem == std::string("'nsupdate-wrapper' is not on the PATH these hooks run with (") + kDhclientPath +
                               "): write /usr/local/sbin/nsupdate-wrapper");
  // enter: dhcp-notify; exit: logger ip cut ip cat nsupdate-wrapper.
  CHECK(lint.commands_checked == 7);
}

TEST_CASE("dhclient hooks: multi-line strings and quoted case patterns are not commands", "[network][hooks]") {
  TempDir dir;
  const auto hook = dir.write("hook",
                              "# the bridges' VPN: an apostrophe in a comment opens no string\n"
                              "ARGS=\"--name=vpn\n"
                              "    --inherit\"\n"
                              "case \"$(stat -c '%u %F' /run/x)\" in\n"
                              "  \"0 directory\") ip link ;;\n"
                              "  *\" file\") missing-tool ;;\n"
                              "esac\n");
  FakeFs fake;
  const auto lint = lint_hooks(dhclient_only({hook}), fake.is_executable(), fake.exists());
  CHECK(commands(lint.findings) == std::vector<std::string>{"stat", "missing-tool"});
  REQUIRE(lint.findings.size() == 2);
  CHECK(lint.findings[1].line == 6);
  CHECK(lint.commands_checked == 3);
}

TEST_CASE("problems: a missing explicit file and an unreadable one", "[network][hooks]") {
  FakeFs fake;
  TempDir dir;
  const auto lint = lint_hooks(interfaces_only({dir.path / "missing", dir.path}), fake.is_executable(), fake.exists());
  REQUIRE(lint.problems.size() == 2);
  CHECK(lint.problems[0] == (dir.path / "missing").string() + ": cannot read: No such file or directory");
  CHECK(lint.problems[1].rfind(dir.path.string() + ": cannot read: ", 0) == 0);
  CHECK(lint.findings.empty());
}

TEST_CASE("is_executable_real on a real file", "[network][hooks]") {
  TempDir dir;
  const auto tool = dir.write("tool", "#!/bin/sh\nexit 0\n");
  ::chmod(tool.c_str(), 0644);
  CHECK_FALSE(is_executable_real(tool));
  ::chmod(tool.c_str(), 0755);
  CHECK(is_executable_real(tool));
  CHECK_FALSE(is_executable_real(dir.path));
  CHECK_FALSE(is_executable_real(dir.path / "absent"));

  const auto file = dir.write("interfaces", "iface eth0 inet manual\n\tpost-up " + tool.string() + " eth0\n");
  const auto lint = lint_hooks(interfaces_only({file}));
  CHECK(lint.findings.empty());
  CHECK(lint.commands_checked == 1);
}
