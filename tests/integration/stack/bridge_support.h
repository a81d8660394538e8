// Shared by the appservice and bridge stack tests: run `hsops check <name>` with the stack's
// config, flip the fixture bridge's switches (always restored by RAII, so the stack is left
// healthy for other tests), and kill/restart the bridge process by its pid file.
#pragma once

#include <catch2/catch.hpp>

#include <signal.h>
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

inline bool bridge_connected() {
  const auto state = bridge_admin();
  return state.is_object() && state.value("irc_connected", false);
}

// Sets switches for one scope; all of them are off again afterwards.
struct BridgeSwitches {
  explicit BridgeSwitches(const std::string& query) { REQUIRE(bridge_admin(query).is_object()); }
  ~BridgeSwitches() { bridge_admin("hang=0&drop_matrix_to_irc=0&drop_irc_to_matrix=0"); }
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
