// The Alertmanager notifier against a real Alertmanager (Debian prometheus-alertmanager)
// started by the test on loopback with clustering off: the page arrives as an active alert
// with our labels and annotations, and the resolution ends it.
#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "alerting/notifiers/alertmanager.h"
#include "net/http.h"
#include "support/sample_page.h"

extern char** environ;

using namespace hsops;
using namespace hsops::alerting;
using namespace std::chrono_literals;

namespace {

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One Alertmanager for the test, killed and its directory removed on every path.
class AlertmanagerProcess {
 public:
  AlertmanagerProcess() : dir_(std::filesystem::temp_directory_path() / ("hsops-am-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_ / "data");
    std::ofstream(dir_ / "am.yml") << "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n";
    port_ = free_loopback_port();
    const std::string config = "--config.file=" + (dir_ / "am.yml").string();
    const std::string storage = "--storage.path=" + (dir_ / "data").string();
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    const char* argv[] = {"/usr/bin/prometheus-alertmanager", config.c_str(), storage.c_str(), listen.c_str(),
                          "--cluster.listen-address=", "--log.level=warn", nullptr};
    REQUIRE(::posix_spawn(&pid_, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
  }
  ~AlertmanagerProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool wait_ready(std::chrono::seconds limit) const {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      const auto r = net::get(url() + "/-/ready", {500ms, 1000ms});
      if (r.ok() && r->status == 200) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

nlohmann::json active_alerts(const std::string& url) {
  const auto r = net::get(url + "/api/v2/alerts", {1000ms, 3000ms});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return nlohmann::json::parse(r->body);
}

}  // namespace

TEST_CASE("alertmanager: a page arrives as an active alert and its resolution ends it") {
  AlertmanagerProcess am;
  REQUIRE(am.wait_ready(30s));
  AlertmanagerOptions o;
  o.url = am.url();
  o.instance = "hs1.example.org";
  o.runbook_base_url = "https://git.example.org/runbooks/";
  const auto sent = send_alertmanager(test::replication_page(Event::firing), o, std::chrono::system_clock::now());
  REQUIRE(sent.ok());
  CHECK(*sent == 200);
  auto alerts = active_alerts(am.url());
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0]["labels"]["alertname"] == "HsopsCheck");
  CHECK(alerts[0]["labels"]["check"] == "replication");
  CHECK(alerts[0]["labels"]["standby"] == "db2");
  CHECK(alerts[0]["labels"]["severity"] == "critical");
  CHECK(alerts[0]["labels"]["instance"] == "hs1.example.org");
  CHECK(alerts[0]["annotations"]["runbook_url"] == "https://git.example.org/runbooks/replication.md");
  CHECK(alerts[0]["status"]["state"] == "active");

  // A re-send while firing updates the same alert; the resolution ends it.
  REQUIRE(send_alertmanager(test::replication_page(Event::repeat), o, std::chrono::system_clock::now()).ok());
  CHECK(active_alerts(am.url()).size() == 1);
  REQUIRE(send_alertmanager(test::replication_page(Event::resolved), o, std::chrono::system_clock::now()).ok());
  bool ended = false;
  for (int i = 0; i < 50 && !ended; ++i) {
    ended = active_alerts(am.url()).empty();
    if (!ended) std::this_thread::sleep_for(100ms);
  }
  CHECK(ended);
}

TEST_CASE("alertmanager: a body Alertmanager refuses is an error with its status and reason") {
  AlertmanagerProcess am;
  REQUIRE(am.wait_ready(30s));
  AlertmanagerOptions o;
  o.url = am.url();
  auto bad = test::replication_page(Event::firing);
  bad.alert.check = "";  // an empty label value for "check" is dropped; alertname stays valid
  bad.alert.labels = {{"0bad-label", "x"}};  // not a valid label name: Alertmanager answers 400
  const auto sent = send_alertmanager(bad, o, std::chrono::system_clock::now());
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().kind == ErrorKind::http_4xx);
  CHECK(sent.error().message.find("HTTP 400") != std::string::npos);
}

TEST_CASE("alertmanager: nothing listening is an error within the deadline") {
  AlertmanagerOptions o;
  o.url = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  o.attempts = 1;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(send_alertmanager(test::replication_page(Event::firing), o, std::chrono::system_clock::now()).ok());
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}
