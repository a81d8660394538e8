// A real Alertmanager (Debian prometheus-alertmanager) for one test, on loopback with
// clustering off; killed and its directory removed on every path.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "support/child_process.h"

namespace hsops::test {

class AlertmanagerProcess {
 public:
  AlertmanagerProcess()
      : dir_(std::filesystem::temp_directory_path() / ("hsops-am-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(free_loopback_port()))),
        port_(free_loopback_port()) {
    std::filesystem::create_directories(dir_ / "data");
    std::ofstream(dir_ / "am.yml") << "route:\n  receiver: 'null'\n  group_wait: 1s\nreceivers:\n  - name: 'null'\n";
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/prometheus-alertmanager", "--config.file=" + (dir_ / "am.yml").string(),
                                 "--storage.path=" + (dir_ / "data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--cluster.listen-address=",
                                 "--log.level=warn"},
        dir_ / "am.log");
  }
  ~AlertmanagerProcess() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool wait_ready(std::chrono::seconds limit) const {
    using namespace std::chrono_literals;
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      const auto r = net::get(url() + "/-/ready", {500ms, 1000ms});
      if (r.ok() && r->status == 200) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // GET /api/v2/alerts: the alerts Alertmanager holds (active and, briefly, resolved).
  nlohmann::json alerts() const {
    using namespace std::chrono_literals;
    const auto r = net::get(url() + "/api/v2/alerts", {1000ms, 3000ms});
    REQUIRE(r.ok());
    REQUIRE(r->status == 200);
    return nlohmann::json::parse(r->body);
  }

 private:
  std::filesystem::path dir_;
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace hsops::test
