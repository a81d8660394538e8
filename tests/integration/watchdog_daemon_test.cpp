// hsops-watchdog as a process, without the stack: the systemd notify protocol on a
// NOTIFY_SOCKET the test binds (READY=1, STATUS=, WATCHDOG=1, STOPPING=1), its HTTP side,
// SIGHUP with an invalid config (refused, the old one runs on) and a valid one, SIGTERM
// within 5 s, and the startup errors (bad config, port taken) with exit 1.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>

#include "net/http.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using hsops::test::ChildProcess;
using hsops::test::free_loopback_port;
using hsops::test::TempDir;

namespace {

const std::string kWatchdog = HSOPS_BINARY_DIR "/cmd/hsops-watchdog/hsops-watchdog";

// The systemd side of sd_notify(3): a datagram socket the daemon writes its states to.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { ::close(fd_); }
  // Messages received until one contains `what` or `limit` passes; all of them, in order.
  std::vector<std::string> until(const std::string& what, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      char buf[4096];
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      seen_.emplace_back(buf, static_cast<std::size_t>(n));
      if (seen_.back().find(what) != std::string::npos) break;
    }
    return seen_;
  }
  int count(const std::string& what) const {
    int n = 0;
    for (const auto& m : seen_) n += m.find(what) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> seen_;
};

std::string config_text(const TempDir& dir, int port, const std::string& interval = "1s") {
  return "state_dir: " + (dir.path() / "state").string() + "\n" +
         "checks:\n  clock: {enabled: false}\n  disk: {paths: [/]}\n" +
         "watchdog:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n  interval: " + interval + "\n";
}

hsops::Result<hsops::net::Response> get(int port, const std::string& path) {
  return hsops::net::get("http://127.0.0.1:" + std::to_string(port) + path, {500ms, 2000ms});
}

bool wait_for_body(int port, const std::string& path, const std::string& text, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    const auto r = get(port, path);
    if (r.ok() && r->status == 200 && r->body.find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

bool wait_for_output(const ChildProcess& p, const std::string& text, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (p.output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

}  // namespace

TEST_CASE("watchdog daemon: notify protocol, HTTP side, SIGHUP reload, SIGTERM within 5 s") {
  TempDir dir;
  const int port = free_loopback_port();
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << config_text(dir, port);
  NotifySocket notify(dir.path() / "notify.sock");
  ChildProcess watchdog({kWatchdog, "--config", config.string()}, dir.path() / "watchdog.log",
                        {{"NOTIFY_SOCKET", (dir.path() / "notify.sock").string()}, {"WATCHDOG_USEC", "2000000"}});

  const auto ready = notify.until("READY=1", 15s);
  INFO(watchdog.output());
  REQUIRE(notify.count("READY=1") == 1);
  CHECK(ready.back().find("STATUS=watching 1 check; no alerts") != std::string::npos);
  notify.until("never", 3500ms);
  CHECK(notify.count("WATCHDOG=1") >= 3);  // every 1 s (half of WatchdogSec) from the main loop

  const auto health = get(port, "/health");
  REQUIRE(health.ok());
  CHECK(health->status == 200);
  CHECK(wait_for_body(port, "/metrics", "hsops_check_status{check=\"disk\"}", 10s));
  const auto metrics = get(port, "/metrics");
  REQUIRE(metrics.ok());
  CHECK(metrics->body.find("process_resident_memory_bytes") != std::string::npos);
  CHECK(metrics->body.find("hsops_watchdog_last_tick_timestamp_seconds") != std::string::npos);
  CHECK(wait_for_body(port, "/api/v1/alerts", "\"alerts\"", 5s));

  // An invalid config is refused with its location; the running one stays.
  std::ofstream(config) << config_text(dir, port) << "  interval_typo: 5s\n";
  watchdog.signal(SIGHUP);
  REQUIRE(wait_for_output(watchdog, "reload refused", 10s));
  CHECK(watchdog.output().find("hsops.yaml:8:") != std::string::npos);
  CHECK(get(port, "/health")->status == 200);

  std::ofstream(config) << config_text(dir, port, "2s");
  watchdog.signal(SIGHUP);
  CHECK(wait_for_output(watchdog, "reloaded: watching disk", 10s));

  const auto stopping = std::chrono::steady_clock::now();
  watchdog.signal(SIGTERM);
  const auto code = watchdog.wait_exit(5s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - stopping < 5s);
  notify.until("STOPPING=1", 1s);
  CHECK(notify.count("STOPPING=1") == 1);
}

TEST_CASE("watchdog daemon: a bad config or a taken port stops the start with exit 1 and says where") {
  TempDir dir;
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << "watchdog:\n  listen: 127.0.0.1:99999\n";
  {
    ChildProcess bad({kWatchdog, "--config", config.string()}, dir.path() / "bad.log");
    REQUIRE(bad.wait_exit(10s) == std::optional<int>(1));
    CHECK(bad.output().find("hsops.yaml:2:") != std::string::npos);
    CHECK(bad.output().find("listen") != std::string::npos);
  }
  const int port = free_loopback_port();
  std::ofstream(config) << config_text(dir, port);
  ChildProcess first({kWatchdog, "--config", config.string()}, dir.path() / "first.log");
  REQUIRE(wait_for_body(port, "/health", "ok", 15s));
  ChildProcess second({kWatchdog, "--config", config.string()}, dir.path() / "second.log");
  REQUIRE(second.wait_exit(10s) == std::optional<int>(1));
  CHECK(second.output().find("cannot serve on 127.0.0.1:" + std::to_string(port)) != std::string::npos);
}

TEST_CASE("watchdog daemon: a frozen process is a host pause, alerted, and every check runs at once") {
  TempDir dir;
  const int port = free_loopback_port();
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << config_text(dir, port, "1h") << "  host_pause_threshold: 2s\n";
  ChildProcess watchdog({kWatchdog, "--config", config.string()}, dir.path() / "watchdog.log");
  REQUIRE(wait_for_body(port, "/metrics", "hsops_check_status{check=\"disk\"}", 20s));
  std::this_thread::sleep_for(1200ms);  // past the main loop's first tick

  watchdog.signal(SIGSTOP);  // what a VM freeze looks like from inside: time passes, nothing runs
  std::this_thread::sleep_for(3500ms);
  watchdog.signal(SIGCONT);
  INFO(watchdog.output());
  REQUIRE(wait_for_output(watchdog, "host paused for", 5s));
  CHECK(wait_for_body(port, "/api/v1/alerts", "\"check\":\"host\"", 5s));
  CHECK(wait_for_body(port, "/metrics", "hsops_watchdog_host_pauses_total 1", 5s));
  CHECK(watchdog.output().find("running every check now") != std::string::npos);
}
