// Remedies: run once per firing after `after`, never while acked or silenced, at most
// max_per_hour, killed at the deadline, and their outcome reported.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "watchdog/remedies.h"

using namespace std::chrono_literals;
using hsops::watchdog::RemedySpec;
using hsops::watchdog::Remedies;

namespace {

struct Reports {
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::pair<std::string, std::string>> got;
  std::vector<std::string> log;
  Remedies::Report report() {
    return [this](const std::string& f, const std::string& o) {
      std::lock_guard lock(mutex);
      got.emplace_back(f, o);
      arrived.notify_all();
    };
  }
  Remedies::Log logger() {
    return [this](const std::string& l) {
      std::lock_guard lock(mutex);
      log.push_back(l);
    };
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, 10s, [&] { return got.size() >= n; });
  }
};

nlohmann::json alert(const hsops::FakeClock& clock, std::chrono::seconds ago, const std::string& fingerprint = "probe") {
  return {{"id", "abc123"}, {"fingerprint", fingerprint}, {"check", "probe"}, {"severity", "critical"},
          {"summary", "cannot send"}, {"fired_at", hsops::unix_seconds(clock.now() - ago)},
          {"acked_by", nullptr}, {"silenced", false}};
}

}  // namespace

TEST_CASE("remedies: run after the alert fired for `after`, once per firing, outcome reported") {
  hsops::FakeClock clock;
  Reports reports;
  RemedySpec spec{{"/bin/sh", "-c", "echo restarting $HSOPS_ALERT_CHECK for $HSOPS_ALERT_ID; exit 0"}, 300s, 2, 5000ms};
  Remedies remedies({{"probe", spec}}, clock, reports.logger(), reports.report());

  remedies.tick(nlohmann::json::array({alert(clock, 299s)}));
  auto acked = alert(clock, 600s);
  acked["acked_by"] = "alice";
  remedies.tick(nlohmann::json::array({acked}));  // a human is on it
  auto other = alert(clock, 600s, "wal");
  other["check"] = "wal";
  remedies.tick(nlohmann::json::array({other}));  // no remedy configured for wal
  {
    std::lock_guard lock(reports.mutex);
    CHECK(reports.log.empty());
  }

  const auto due = alert(clock, 300s);
  remedies.tick(nlohmann::json::array({due}));
  REQUIRE(reports.wait_for(1));
  CHECK(reports.got[0].first == "probe");
  CHECK(reports.got[0].second == "remedy `/bin/sh -c echo restarting $HSOPS_ALERT_CHECK for $HSOPS_ALERT_ID; exit 0` "
                                 "ran: exit 0: restarting probe for abc123");
  remedies.tick(nlohmann::json::array({due}));  // the same firing: not again
  clock.advance(10s);
  remedies.tick(nlohmann::json::array({due}));
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(reports.mutex);
  CHECK(reports.got.size() == 1);
}

TEST_CASE("remedies: at most max_per_hour, and a hung command is killed at its deadline") {
  hsops::FakeClock clock;
  Reports reports;
  RemedySpec spec{{"/bin/sh", "-c", "sleep 30"}, 0s, 1, 300ms};
  Remedies remedies({{"probe", spec}}, clock, reports.logger(), reports.report());
  const auto started = std::chrono::steady_clock::now();
  remedies.tick(nlohmann::json::array({alert(clock, 1s)}));
  REQUIRE(reports.wait_for(1));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(reports.got[0].second.find("timed out") != std::string::npos);

  // A new firing ten minutes later: the hour's one run is used up.
  clock.advance(10min);
  remedies.tick(nlohmann::json::array({alert(clock, 1s, "probe")}));
  std::this_thread::sleep_for(200ms);
  std::lock_guard lock(reports.mutex);
  CHECK(reports.got.size() == 1);
  CHECK(reports.log.back().find("max_per_hour") != std::string::npos);
}

TEST_CASE("remedies: the outcome text") {
  using hsops::watchdog::remedy_outcome_text;
  const std::vector<std::string> cmd{"systemctl", "restart", "matrix-synapse"};
  CHECK(remedy_outcome_text(cmd, 0, false, 60s, "", "") == "remedy `systemctl restart matrix-synapse` ran: exit 0");
  CHECK(remedy_outcome_text(cmd, 1, false, 60s, "", "Failed to restart: Access denied\n") ==
        "remedy `systemctl restart matrix-synapse` failed: exit 1: Failed to restart: Access denied");
  CHECK(remedy_outcome_text(cmd, -1, true, 60s, "", "") ==
        "remedy `systemctl restart matrix-synapse` timed out after 60 s and was killed");
}
