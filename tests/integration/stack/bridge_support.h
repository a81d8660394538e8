// Shared by the appservice and bridge stack tests: run `hsops check <name>` with the stack's
// config, flip the fixture bridge's switches (always restored by RAII, so the stack is left
// healthy for other tests), and kill/restart the bridge process by its pid file.
#pragma once

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "support/stack_env.h"

namespace hsops::test {

using nlohmann::json;

struct CliRun {
  int exit_code = -1;
  json check;
  double seconds = 0;
  std::string raw;
  std::string summary() const { return check.value("summary", ""); }
};

inline std::string shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

inline CliRun run_check(const std::string& name, const std::string& extra = "") {
  const std::string cmd = "timeout 90 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check " + name + " --format json --config " +
                          stack_env().get("HSOPS_CONFIG") + " " + extra + " 2>&1";
  CliRun r;
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.raw.append(buf, n);
  const int status = ::pclose(p);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  INFO(r.raw);
  const auto doc = json::parse(r.raw, nullptr, false);
  REQUIRE(doc.is_object());
  r.check = doc["checks"][0];
  return r;
}

// The value of `metric` whose labels include `key=value` (any when key is empty).
inline std::optional<double> metric(const json& check, const std::string& name, const std::string& key = "",
                                    const std::string& value = "") {
  for (const auto& m : check["measurements"]) {
    if (m["metric"] != name) continue;
    if (!key.empty() && m["labels"].value(key, "") != value) continue;
    return m["value"].get<double>();
  }
  return std::nullopt;
}

inline json bridge_admin(const std::string& query = "") {
  net::Request r;
  r.method = query.empty() ? "GET" : "POST";
  r.url = stack_env().get("HSOPS_BRIDGE_ADMIN_URL") + (query.empty() ? "" : "?" + query);
  r.deadlines = {std::chrono::milliseconds(2000), std::chrono::milliseconds(5000)};
  auto res = net::perform(r);
  if (!res) return json();
  return json::parse(res.value().body, nullptr, false);
}

// Posts `count` m.text messages into the portal room as the canary (logged in once per process,
// fixed device, so devices do not pile up); returns how many the homeserver accepted. These are
// events Synapse must hand to the appservice: while it is down, each becomes queued work.
inline int canary_send(int count, const std::string& text) {
  static std::string token;
  const auto& env = stack_env();
  const std::string base = env.get("HSOPS_SYNAPSE_URL");
  const net::Deadlines deadlines{std::chrono::milliseconds(2000), std::chrono::milliseconds(10000)};
  if (token.empty()) {
    // The canary is a test account: lift its message rate limit (admin API), as the harness
    // does for the probe user, so bursts of test messages are not answered 429.
    net::Request lift;
    lift.method = "POST";
    lift.url = base + "/_synapse/admin/v1/users/" + env.get("HSOPS_CANARY_USER") + "/override_ratelimit";
    lift.headers = {{"Authorization", "Bearer " + env.secret("HSOPS_ADMIN_TOKEN_FILE")}, {"Content-Type", "application/json"}};
    lift.deadlines = deadlines;
    lift.body = R"({"messages_per_second": 0, "burst_count": 0})";
    if (auto res = net::perform(lift); !res || res.value().status != 200) return 0;
    net::Request login;
    login.method = "POST";
    login.url = base + "/_matrix/client/v3/login";
    login.deadlines = deadlines;
    login.body = json{{"type", "m.login.password"},
                      {"identifier", {{"type", "m.id.user"}, {"user", env.get("HSOPS_CANARY_USER")}}},
                      {"password", env.secret("HSOPS_CANARY_PASSWORD_FILE")},
                      {"device_id", "HSOPS_STACK_TEST"}}
                     .dump();
    auto res = net::perform(login);
    if (!res || res.value().status != 200) return 0;
    token = json::parse(res.value().body, nullptr, false).value("access_token", "");
  }
  static int txn = 0;
  int sent = 0;
  for (int i = 0; i < count; ++i) {
    net::Request put;
    put.method = "PUT";
    put.url = base + "/_matrix/client/v3/rooms/" + env.get("HSOPS_PORTAL_ROOM_ID") + "/send/m.room.message/hsops-it-" +
              std::to_string(::getpid()) + "-" + std::to_string(++txn);
    put.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    put.deadlines = deadlines;
    put.body = json{{"msgtype", "m.text"}, {"body", text + " " + std::to_string(i)}}.dump();
    auto res = net::perform(put);
    if (res && res.value().status == 200) ++sent;
  }
  return sent;
}

// Writes an hsops config with only checks.bridge for the stack's bridge into its own dir and
// runs `hsops check bridge` with it. `top` is extra YAML under checks.bridge (4-space indent),
// `remote` the remote mapping's keys.
struct BridgeConfig {
  std::string dir, path;
  BridgeConfig(const std::string& top, const std::string& remote) {
    const auto& env = stack_env();
    dir = "/tmp/hsops-bridge-it-" + std::to_string(::getpid()) + "-" + std::to_string(++counter());
    shell("mkdir -p " + dir);
    path = dir + "/hsops.yaml";
    std::ofstream(path) << "state_dir: " << dir << "\nchecks:\n  bridge:\n    homeserver_url: " << env.get("HSOPS_SYNAPSE_URL") << "\n"
                        << top << "    database:\n      conninfo: \"host=127.0.0.1 port=" << env.get("HSOPS_PG_PRIMARY_PORT")
                        << " user=synapse dbname=synapse\"\n      password_file: " << env.get("HSOPS_STACK_DIR")
                        << "/secrets/pg-synapse.password\n    bridges:\n      - name: irc\n        room_id: '"
                        << env.get("HSOPS_PORTAL_ROOM_ID") << "'\n        user: '" << env.get("HSOPS_CANARY_USER")
                        << "'\n        password_file: " << env.get("HSOPS_CANARY_PASSWORD_FILE")
                        << "\n        user_regex: '^@_irc_.*'\n        remote: {type: irc, host: 127.0.0.1, channel: '#bridge', nick: hsops-canary, "
                        << remote << "}\n";
  }
  ~BridgeConfig() { shell("rm -rf '" + dir + "'"); }
  BridgeConfig(const BridgeConfig&) = delete;
  BridgeConfig& operator=(const BridgeConfig&) = delete;
  CliRun run() const {
    CliRun r;
    const auto t0 = std::chrono::steady_clock::now();
    r.raw = shell("timeout 60 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check bridge --format json --config " + path + " 2>&1; echo \"exit=$?\"");
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto at = r.raw.rfind("exit=");
    if (at != std::string::npos) r.exit_code = std::atoi(r.raw.c_str() + at + 5);
    const auto doc = json::parse(r.raw.substr(0, at), nullptr, false);
    if (doc.is_object()) r.check = doc["checks"][0];
    return r;
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

inline bool bridge_connected() {
  const auto state = bridge_admin();
  return state.is_object() && state.value("irc_connected", false);
}

// Sets switches for one scope; all of them are off again afterwards.
struct BridgeSwitches {
  explicit BridgeSwitches(const std::string& query) { REQUIRE(bridge_admin(query).is_object()); }
  ~BridgeSwitches() { bridge_admin("hang=0&drop_matrix_to_irc=0&drop_irc_to_matrix=0&ping_500=0"); }
  BridgeSwitches(const BridgeSwitches&) = delete;
  BridgeSwitches& operator=(const BridgeSwitches&) = delete;
};

template <typename Pred>
bool eventually(std::chrono::seconds limit, Pred pred) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return pred();
}

// Kills the fixture bridge (by its pid file) and restarts it with the same command line as
// the same user when the scope ends, so later tests find it as the stack left it.
struct KilledBridge {
  std::string pid_file, cmdline, log;
  KilledBridge() {
    pid_file = stack_env().get("HSOPS_BRIDGE_PID_FILE");
    log = stack_env().get("HSOPS_BRIDGE_LOG");
    const long pid = std::stol(StackEnv::read_secret(pid_file));
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    std::string arg;
    while (std::getline(in, arg, '\0')) cmdline += " '" + arg + "'";
    REQUIRE(!cmdline.empty());
    ::kill(static_cast<pid_t>(-pid), SIGTERM);
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    REQUIRE(eventually(std::chrono::seconds(10), [&] { return ::kill(static_cast<pid_t>(pid), 0) != 0; }));
  }
  ~KilledBridge() {
    const std::string pid = shell("setsid setpriv --reuid=nobody --regid=nogroup --clear-groups" + cmdline + " </dev/null >>" + log +
                                  " 2>&1 & echo $!");
    std::ofstream(pid_file) << pid;
    eventually(std::chrono::seconds(20), [] { return bridge_connected(); });
  }
  KilledBridge(const KilledBridge&) = delete;
  KilledBridge& operator=(const KilledBridge&) = delete;
};

}  // namespace hsops::test
