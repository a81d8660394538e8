// The webhook notifier: the Alertmanager webhook v4 payload a receiver expects, the bearer
// token, and a refusal that names the status without the token.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "alerting/notifiers/webhook.h"
#include "support/local_http_server.h"
#include "support/sample_page.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace std::chrono_literals;

namespace {

WebhookOptions options(const std::string& url) {
  WebhookOptions o;
  o.url = url;
  o.bearer_token = "hook-secret-123";
  o.instance = "hs1.example.org";
  o.runbook_base_url = "https://git.example.org/runbooks/";
  o.deadlines = {300ms, 1000ms};
  return o;
}

const TimePoint kNow{std::chrono::seconds(1'700'000'600)};

}  // namespace

TEST_CASE("webhook: the Alertmanager v4 payload, firing then resolved, with the bearer token") {
  test::LocalHttpServer server;
  server.route("/hook", {200, {}, "ok"});
  const auto firing = test::replication_page(Event::firing);
  REQUIRE(send_webhook(firing, options(server.url("/hook")), kNow).ok());
  REQUIRE(send_webhook(test::replication_page(Event::resolved), options(server.url("/hook")), kNow).ok());
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].headers.at("authorization") == "Bearer hook-secret-123");
  const auto body = nlohmann::json::parse(requests[0].body);
  CHECK(body["version"] == "4");
  CHECK(body["status"] == "firing");
  CHECK(body["receiver"] == "hsops");
  REQUIRE(body["alerts"].size() == 1);
  const auto& a = body["alerts"][0];
  CHECK(a["status"] == "firing");
  CHECK(a["labels"]["alertname"] == "HsopsCheck");
  CHECK(a["labels"]["check"] == "replication");
  CHECK(a["labels"]["standby"] == "db2");
  CHECK(a["labels"]["instance"] == "hs1.example.org");
  CHECK(a["annotations"]["runbook_url"] == "https://git.example.org/runbooks/replication.md");
  CHECK(a["fingerprint"] == firing.alert.id);
  CHECK(a["endsAt"] == "0001-01-01T00:00:00Z");
  CHECK(body["commonLabels"] == a["labels"]);
  const auto resolved = nlohmann::json::parse(requests[1].body);
  CHECK(resolved["status"] == "resolved");
  CHECK(resolved["alerts"][0]["endsAt"] == "2023-11-14T22:23:20Z");
}

TEST_CASE("webhook: a refusal or no answer is an error naming the status, never the token") {
  test::LocalHttpServer server;
  server.route("/hook", {500, {}, "boom"});
  const auto refused = send_webhook(test::replication_page(Event::firing), options(server.url("/hook")), kNow);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().kind == ErrorKind::http_5xx);
  CHECK(refused.error().message.find("HTTP 500") != std::string::npos);
  CHECK(refused.error().message.find("hook-secret-123") == std::string::npos);

  test::LocalHttpServer hole(test::LocalHttpServer::Mode::black_hole);
  const auto start = std::chrono::steady_clock::now();
  const auto lost = send_webhook(test::replication_page(Event::firing), options(hole.url("/hook")), kNow);
  REQUIRE_FALSE(lost.ok());
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}
