// The Alertmanager notifier against a real Alertmanager (Debian prometheus-alertmanager)
// started by the test on loopback with clustering off: the page arrives as an active alert
// with our labels and annotations, and the resolution ends it.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "alerting/notifiers/alertmanager.h"
#include "net/http.h"
#include "support/alertmanager_process.h"
#include "support/sample_page.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace std::chrono_literals;
using hsops::test::AlertmanagerProcess;
using hsops::test::free_loopback_port;

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
  auto alerts = am.alerts();
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
  CHECK(am.alerts().size() == 1);
  REQUIRE(send_alertmanager(test::replication_page(Event::resolved), o, std::chrono::system_clock::now()).ok());
  bool ended = false;
  for (int i = 0; i < 50 && !ended; ++i) {
    ended = am.alerts().empty();
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
