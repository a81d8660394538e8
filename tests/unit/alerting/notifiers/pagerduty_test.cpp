// The PagerDuty notifier against a PagerDuty-compatible receiver: one incident per alert,
// trigger/acknowledge/resolve, and each failure PagerDuty has (429, 5xx, 400, no answer).
#include <catch2/catch.hpp>

#include <chrono>

#include "alerting/notifiers/pagerduty.h"
#include "support/local_http_server.h"
#include "support/pagerduty_fixture.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace std::chrono_literals;

namespace {

const std::string kRoutingKey = "0123456789abcdef0123456789abcdef";  // 32 characters, like a real one

Notification page(Event event, Severity severity = Severity::critical) {
  Alert a;
  a.check = "wal";
  a.labels = {{"slot", "standby1"}};
  a.fingerprint = fingerprint_of(a.check, a.labels);
  a.id = short_id(a.fingerprint);
  a.severity = severity;
  a.summary = "slot standby1 retains 9.1 GiB";
  a.fired_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return Notification{event, a, 1, {"pagerduty"}};
}

PagerDutyOptions options(const std::string& url) {
  PagerDutyOptions o;
  o.url = url;
  o.routing_key = kRoutingKey;
  o.source = "hs1.example.org";
  o.runbook_base_url = "https://git.example.org/runbooks/";
  o.deadlines = {300ms, 1000ms};
  o.attempts = 3;
  return o;
}

}  // namespace

TEST_CASE("pagerduty: firing, repeat, ack and resolve are one incident with one dedup_key") {
  test::PagerDutyFixture pd;
  const auto o = options(pd.url());
  for (const Event e : {Event::firing, Event::repeat, Event::acked, Event::resolved}) {
    const auto sent = send_pagerduty(page(e), o);
    REQUIRE(sent.ok());
    CHECK(sent->status == 202);
    CHECK(sent->dedup_key == "hsops/" + page(e).alert.fingerprint);
  }
  const auto incidents = pd.incidents();
  REQUIRE(incidents.size() == 1);
  const auto& incident = incidents.begin()->second;
  CHECK(incident.state == "resolved");
  CHECK(incident.triggers == 2);
  CHECK(incident.actions == std::vector<std::string>{"trigger", "trigger", "acknowledge", "resolve"});
  CHECK(incident.last_payload["severity"] == "critical");
  CHECK(incident.last_payload["source"] == "hs1.example.org");
  CHECK(incident.last_payload["summary"] == "[critical] wal: slot standby1 retains 9.1 GiB");
  CHECK(incident.last_payload["timestamp"] == "2023-11-14T22:13:20Z");
  CHECK(incident.last_payload["custom_details"]["labels"]["slot"] == "standby1");
}

TEST_CASE("pagerduty: an UNKNOWN alert pages as error and links its runbook") {
  const auto event = pagerduty_event(page(Event::firing, Severity::unknown), options("http://127.0.0.1:1/"));
  CHECK(event["payload"]["severity"] == "error");
  CHECK(event["links"][0]["href"] == "https://git.example.org/runbooks/wal.md");
  CHECK(event["event_action"] == "trigger");
  CHECK_FALSE(pagerduty_event(page(Event::resolved), options("x")).contains("payload"));
}

TEST_CASE("pagerduty: rate limited (429) is an error saying so, without the routing key") {
  test::PagerDutyFixture pd;
  pd.throttle(true);
  const auto sent = send_pagerduty(page(Event::firing), options(pd.url()));
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().message.find("rate limited (HTTP 429)") != std::string::npos);
  CHECK(sent.error().message.find(kRoutingKey) == std::string::npos);
  CHECK(pd.requests() == 1);  // a 429 is not hammered: the caller backs off for minutes
}

TEST_CASE("pagerduty: a 5xx is retried then an error - and the retry lands on the same incident") {
  test::PagerDutyFixture pd;
  pd.outage(true);
  const auto failed = send_pagerduty(page(Event::firing), options(pd.url()));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == ErrorKind::http_5xx);
  CHECK(failed.error().message.find("HTTP 500") != std::string::npos);
  CHECK(pd.requests() == 3);
  pd.outage(false);
  REQUIRE(send_pagerduty(page(Event::firing), options(pd.url())).ok());
  REQUIRE(send_pagerduty(page(Event::firing), options(pd.url())).ok());
  CHECK(pd.incidents().size() == 1);
}

TEST_CASE("pagerduty: an event PagerDuty refuses (400) names PagerDuty's reason and is not retried") {
  test::PagerDutyFixture pd;
  auto o = options(pd.url());
  o.source = "";
  const auto sent = send_pagerduty(page(Event::firing), o);
  REQUIRE_FALSE(sent.ok());
  CHECK(sent.error().message.find("invalid (HTTP 400)") != std::string::npos);
  CHECK(sent.error().message.find("payload.source") != std::string::npos);
  CHECK(pd.requests() == 1);
}

TEST_CASE("pagerduty: an endpoint that never answers fails within the deadline") {
  test::LocalHttpServer hole(test::LocalHttpServer::Mode::black_hole);
  auto o = options(hole.url("/v2/enqueue"));
  o.attempts = 1;
  const auto start = std::chrono::steady_clock::now();
  const auto sent = send_pagerduty(page(Event::firing), o);
  CHECK_FALSE(sent.ok());
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}

TEST_CASE("pagerduty: a dedup_key stays within PagerDuty's 255 characters") {
  auto n = page(Event::firing);
  n.alert.fingerprint = "bridge{" + std::string(400, 'x') + "}";
  const auto key = pagerduty_dedup_key(n.alert);
  CHECK(key.size() <= 255);
  CHECK(key == pagerduty_dedup_key(n.alert));
}
