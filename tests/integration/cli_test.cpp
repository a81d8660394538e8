// The real `hsops` binary as an operator and a monitoring system use it: exit codes, the
// Nagios first line, JSON, the textfile, config errors with file:line:column, --help.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "exec/exec.h"

using namespace hsops;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "hsops-cli-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

exec::Outcome run_hsops(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  exec::Command c(kHsops, std::move(args));
  c.deadline = 30s;
  env.emplace("HSOPS_CONFIG", "");  // the developer's own config must not leak into tests
  c.env_overrides = std::move(env);
  auto r = exec::run(c);
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->timed_out);
  return r.value();
}

// A config that checks only the temp dir's filesystem and no clock (no NTP here).
std::string disk_only_config(const TempDir& dir) {
  return "state_dir: " + (dir.path / "state").string() + "\n" +
         "checks:\n"
         "  disk:\n"
         "    paths: [" + dir.path.string() + "]\n"
         "  clock:\n"
         "    enabled: false\n";
}

}  // namespace

TEST_CASE("check disk prints one Nagios line with perfdata and exits by status", "[cli]") {
  TempDir dir;
  const auto config = dir.write("hsops.yaml", disk_only_config(dir));
  auto r = run_hsops({"check", "disk", "--config", config.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code >= 0);
  CHECK(r.exit_code <= 3);
  const std::string first_line = r.out.substr(0, r.out.find('\n'));
  CHECK(first_line.rfind("DISK ", 0) == 0);
  CHECK(first_line.find(" - ") != std::string::npos);
  CHECK(first_line.find(" | ") != std::string::npos);
  CHECK(r.out.find('\n') == r.out.size() - 1);  // exactly one line without -v
}

TEST_CASE("check all --format json follows the documented schema", "[cli]") {
  TempDir dir;
  const auto config = dir.write("hsops.yaml", disk_only_config(dir));
  auto r = run_hsops({"check", "all", "--format", "json", "--config", config.string()});
  INFO(r.out << r.err);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["schema_version"] == 1);
  CHECK(j["exit_code"] == r.exit_code);
  REQUIRE(j["checks"].size() == 1);  // clock disabled
  const auto& disk = j["checks"][0];
  CHECK(disk["check"] == "disk");
  for (const char* key : {"status", "exit_code", "summary", "duration_seconds", "measurements", "details"}) {
    CHECK(disk.contains(key));
  }
  bool has_avail = false;
  for (const auto& m : disk["measurements"]) {
    if (m["metric"] == "hsops_disk_avail_bytes") has_avail = true;
  }
  CHECK(has_avail);
}

TEST_CASE("check all with a textfile writes Prometheus text atomically", "[cli]") {
  TempDir dir;
  const auto config = dir.write("hsops.yaml", disk_only_config(dir));
  const auto prom = dir.path / "hsops.prom";
  auto r = run_hsops({"check", "all", "--textfile", prom.string(), "--config", config.string()});
  INFO(r.out << r.err);
  std::ifstream in(prom);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("# TYPE hsops_check_status gauge") != std::string::npos);
  CHECK(text.find("hsops_check_status{check=\"disk\"}") != std::string::npos);
  CHECK(text.find("hsops_disk_avail_bytes{") != std::string::npos);
}

TEST_CASE("a bad config is UNKNOWN with file:line:column on stdout", "[cli]") {
  TempDir dir;
  const auto config = dir.write("bad.yaml", "checks:\n  disk:\n    pathz: [/]\n");
  auto r = run_hsops({"check", "all", "--config", config.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.out.rfind("HSOPS UNKNOWN - config error: " + config.string() + ":3:5:", 0) == 0);
  auto v = run_hsops({"config", "validate", "--config", config.string()});
  CHECK(v.exit_code == 1);
  CHECK(v.err.find(config.string() + ":3:5:") != std::string::npos);
}

TEST_CASE("a missing --config file is an error / not silent defaults", "[cli]") {
  auto r = run_hsops({"check", "all", "--config", "/nonexistent/hsops.yaml"});
  CHECK(r.exit_code == 3);
  CHECK(r.out.find("/nonexistent/hsops.yaml") != std::string::npos);
}

TEST_CASE("config example is valid config", "[cli]") {
  TempDir dir;
  auto example = run_hsops({"config", "example"});
  REQUIRE(example.exit_code == 0);
  CHECK(example.out.find("checks:") != std::string::npos);
  const auto path = dir.write("example.yaml", example.out);
  auto v = run_hsops({"config", "validate", "--config", path.string()});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("valid") != std::string::npos);
}

TEST_CASE("bad -w range and bad --format are usage errors (exit 3)", "[cli]") {
  auto w = run_hsops({"check", "disk", "-w", "20:10"});
  CHECK(w.exit_code == 3);
  CHECK(w.out.find("invalid threshold range '20:10'") != std::string::npos);
  auto f = run_hsops({"check", "disk", "--format", "xml"});
  CHECK(f.exit_code == 3);
}

TEST_CASE("help describes every option of each subcommand", "[cli]") {
  auto top = run_hsops({"--help"});
  CHECK(top.exit_code == 0);
  for (const char* word : {"--config", "--verbose", "check", "config"}) CHECK(top.out.find(word) != std::string::npos);
  for (const char* sub : {"disk", "clock"}) {
    auto h = run_hsops({"check", sub, "--help"});
    INFO(sub);
    CHECK(h.exit_code == 0);
    for (const char* opt : {"--format", "--textfile", "--warning", "--critical", "--timeout"}) {
      CHECK(h.out.find(opt) != std::string::npos);
    }
  }
  auto all = run_hsops({"check", "all", "--help"});
  CHECK(all.out.find("--format") != std::string::npos);
}

TEST_CASE("a report_stats section is validated by config validate and accepted by check", "[cli]") {
  TempDir dir;
  const std::string base = disk_only_config(dir);
  const auto good = dir.write("good.yaml", base +
      "report_stats:\n  server_name: hs.example\n  database:\n    conninfo: 'host=/nonexistent dbname=synapse'\n");
  auto v = run_hsops({"config", "validate", "--config", good.string()});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  auto c = run_hsops({"check", "disk", "--config", good.string()});
  CHECK(c.exit_code != 3);
  const auto bad = dir.write("bad.yaml", base + "report_stats:\n  server_name: hs.example\n  databse: {}\n");
  auto b = run_hsops({"config", "validate", "--config", bad.string()});
  CHECK(b.exit_code == 1);
  CHECK(b.err.find(bad.string() + ":") != std::string::npos);
}

TEST_CASE("a watchdog section is validated by config validate and accepted by check", "[cli]") {
  TempDir dir;
  const std::string base = disk_only_config(dir);
  const auto good = dir.write("good.yaml", base +
      "watchdog:\n  interval: 30s\n  checks:\n    disk: {interval: 10m, for: 15m}\n");
  auto v = run_hsops({"config", "validate", "--config", good.string()});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  CHECK(run_hsops({"check", "disk", "--config", good.string()}).exit_code != 3);
  const auto bad = dir.write("bad.yaml", base + "watchdog:\n  checks:\n    dsik: {interval: 1m}\n");
  auto b = run_hsops({"config", "validate", "--config", bad.string()});
  CHECK(b.exit_code == 1);
  CHECK(b.err.find(bad.string() + ":") != std::string::npos);
  CHECK(b.err.find("dsik") != std::string::npos);
}

TEST_CASE("config validate warns when the Matrix notifier posts to the homeserver being watched", "[cli]") {
  TempDir dir;
  const auto token = dir.write("bot.token", "secret-bot-token\n");
  fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
  const auto config = dir.write("same.yaml", disk_only_config(dir) +
      "  probe:\n    homeserver_url: https://matrix.example.org\n    user: '@probe:example.org'\n"
      "    access_token_file: " + token.string() + "\n"
      "watchdog:\n  notifiers:\n    ops-room:\n      type: matrix\n      homeserver_url: https://matrix.example.org\n"
      "      room_id: '!ops:example.org'\n      access_token_file: " + token.string() + "\n");
  auto v = run_hsops({"config", "validate", "--config", config.string()});
  INFO(v.err);
  CHECK(v.exit_code == 0);  // a warning, not an error
  CHECK(v.err.find("warning: watchdog.notifiers.ops-room posts to matrix.example.org") != std::string::npos);
  CHECK(v.err.find("secret-bot-token") == std::string::npos);
}

// An error line ends with a newline, so the next line (a shell prompt, a journal entry) does not
// run on behind it: the collector's config errors, from a bad value, a bad file and no file.
TEST_CASE("hsops-collector's config errors are whole lines", "[cli]") {
  TempDir dir;
  const std::vector<std::string> configs = {
      dir.write("port.yaml", "listen: \"127.0.0.1:x\"\n").string(),
      dir.write("syntax.yaml", "listen: [\n").string(),
      dir.write("secret.yaml", "database: {conninfo: \"host=/nonexistent\"}\n").string(),
      (dir.path / "missing.yaml").string()};
  for (const auto& config : configs) {
    exec::Command c(HSOPS_BINARY_DIR "/cmd/hsops-collector/hsops-collector", {"--config", config, "--check-config"});
    c.deadline = 30s;
    auto r = exec::run(c);
    REQUIRE(r.ok());
    INFO(config << ": " << r->err);
    CHECK(r->exit_code == 1);
    REQUIRE_FALSE(r->err.empty());
    CHECK(r->err.back() == '\n');
  }
}

TEST_CASE("failover without a playbook says where it looked and what to do", "[cli][failover]") {
  auto r = run_hsops({"failover", "status"}, {{"HSOPS_PLAYBOOK", "/nonexistent/playbook.yaml"}});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "hsops failover: no playbook at /nonexistent/playbook.yaml: write one from playbooks/example.yaml "
                 "(docs/failover.md), then give its path or set $HSOPS_PLAYBOOK\n");
}
