// The watchdog's HTTP side on a real port with a fake daemon behind it: every route and its
// refusals, scrapes that never wait for the API, a taken port, and `hsops alerts`' client.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "net/http.h"
#include "watchdog/alerts_client.h"
#include "watchdog/http_api.h"

using namespace std::chrono_literals;
using namespace hsops;
using hsops::watchdog::HttpApi;

namespace {

class FakeApi final : public watchdog::AlertsApi {
 public:
  nlohmann::json list() override {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return !hold_list; });
    return {{"alerts", {{{"id", "3f9a1c"}, {"fingerprint", "wal{slot=standby1}"}, {"check", "wal"},
                         {"severity", "critical"}, {"summary", "slot standby1 retains 41 GiB"}, {"fired_at", 1000.0},
                         {"tier", 2}, {"acked_by", nullptr}, {"ack_until", nullptr}, {"next_page", 1600.0},
                         {"silenced", false}, {"flapping", false}}}},
            {"silences", {{{"check", "disk"}, {"fingerprint", nullptr}, {"until", 8500.0}, {"by", "bob"},
                           {"comment", "resize"}}}}};
  }
  Result<nlohmann::json> ack(const std::string& id, const std::string& by, std::optional<std::chrono::seconds> d,
                             const std::string& comment) override {
    if (id != "3f9a1c") return Error{ErrorKind::not_found, "no active alert has the id " + id};
    last = by + "|" + (d ? std::to_string(d->count()) : "-") + "|" + comment;
    return nlohmann::json{{"id", id}, {"fingerprint", "wal{slot=standby1}"}, {"acked_by", by}};
  }
  Result<nlohmann::json> silence(const std::string& check, std::optional<std::string> alert, std::chrono::seconds d,
                                 const std::string& by, const std::string&) override {
    last = check + "|" + alert.value_or("-") + "|" + std::to_string(d.count()) + "|" + by;
    return nlohmann::json{{"check", check}};
  }
  Result<bool> healthy() override {
    if (sick) return Error{ErrorKind::timeout, "the main loop last ran 30 s ago"};
    return true;
  }

  std::mutex mutex;
  std::condition_variable released;
  bool hold_list = false;
  bool sick = false;
  std::string last;
};

struct Served {
  FakeApi api;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<HttpApi> http;
  std::string base;
  explicit Served(std::string token = "s3cret-token") {
    prometheus::BuildCounter().Name("hsops_test_total").Help("a test counter").Register(*registry).Add({}).Increment();
    http = std::make_unique<HttpApi>(watchdog::HttpApiOptions{"127.0.0.1:0", std::move(token)},
                                     std::vector<std::weak_ptr<prometheus::Collectable>>{registry}, api);
    const auto port = http->start();
    REQUIRE(port.ok());
    base = "http://127.0.0.1:" + std::to_string(*port);
  }
};

net::Response call(const std::string& method, const std::string& url, const std::string& body = "",
                   const std::string& token = "") {
  net::Request r;
  r.method = method;
  r.url = url;
  if (!body.empty() || method == "POST") r.body = body;
  if (!token.empty()) r.headers = {{"Authorization", "Bearer " + token}};
  r.deadlines = {1000ms, 3000ms};
  auto res = net::perform(r);
  REQUIRE(res.ok());
  return *res;
}

}  // namespace

TEST_CASE("http api: health, metrics and the alert list") {
  Served s;
  CHECK(call("GET", s.base + "/health").status == 200);
  s.api.sick = true;
  const auto sick = call("GET", s.base + "/health");
  CHECK(sick.status == 503);
  CHECK(sick.body.find("main loop last ran 30 s ago") != std::string::npos);
  const auto metrics = call("GET", s.base + "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("hsops_test_total 1") != std::string::npos);
  const auto alerts = call("GET", s.base + "/api/v1/alerts");
  CHECK(alerts.status == 200);
  CHECK(nlohmann::json::parse(alerts.body)["alerts"][0]["id"] == "3f9a1c");
  CHECK(call("GET", s.base + "/nope").status == 404);
  CHECK(call("POST", s.base + "/api/v1/alerts", "{}", "s3cret-token").status == 405);
  CHECK(call("GET", s.base + "/api/v1/alerts/3f9a1c/ack").status == 405);
}

TEST_CASE("http api: acks and silences need the token, a JSON body and a known id") {
  Served s;
  const std::string ack = s.base + "/api/v1/alerts/3f9a1c/ack";
  CHECK(call("POST", ack, R"({"by":"alice"})").status == 401);
  CHECK(call("POST", ack, R"({"by":"alice"})", "s3cret-tokeX").status == 401);
  CHECK(call("POST", ack, "not json", "s3cret-token").status == 400);
  CHECK(call("POST", ack, R"({"comment":"x"})", "s3cret-token").status == 400);  // no "by"
  CHECK(call("POST", ack, R"({"by":"alice","for":"soon"})", "s3cret-token").status == 400);
  CHECK(call("POST", ack, std::string(70 * 1024, ' '), "s3cret-token").status == 413);
  const auto ok = call("POST", ack, R"({"by":"alice","for":"2h","comment":"on it"})", "s3cret-token");
  CHECK(ok.status == 200);
  CHECK(s.api.last == "alice|7200|on it");
  const auto unknown = call("POST", s.base + "/api/v1/alerts/ffffff/ack", R"({"by":"alice"})", "s3cret-token");
  CHECK(unknown.status == 404);
  CHECK(unknown.body.find("no active alert has the id ffffff") != std::string::npos);
  CHECK(unknown.body.find("s3cret") == std::string::npos);

  CHECK(call("POST", s.base + "/api/v1/silences", R"({"check":"wal","by":"bob"})", "s3cret-token").status == 400);
  CHECK(call("POST", s.base + "/api/v1/silences", R"({"check":"wal","for":"1h","by":"bob","alert":"3f9a1c"})",
             "s3cret-token").status == 200);
  CHECK(s.api.last == "wal|3f9a1c|3600|bob");

  Served off("");  // no token configured: writes are off, not open
  const auto refused = call("POST", off.base + "/api/v1/alerts/3f9a1c/ack", R"({"by":"alice"})", "anything");
  CHECK(refused.status == 403);
  CHECK(refused.body.find("watchdog.api_token_file") != std::string::npos);
}

TEST_CASE("http api: a scrape never waits for the API, and a taken port is an error") {
  Served s;
  {
    std::lock_guard lock(s.api.mutex);
    s.api.hold_list = true;
  }
  std::thread blocked([&] { (void)call("GET", s.base + "/api/v1/alerts"); });
  std::this_thread::sleep_for(100ms);
  const auto start = std::chrono::steady_clock::now();
  CHECK(call("GET", s.base + "/metrics").status == 200);
  CHECK(std::chrono::steady_clock::now() - start < 200ms);
  {
    std::lock_guard lock(s.api.mutex);
    s.api.hold_list = false;
  }
  s.api.released.notify_all();
  blocked.join();

  FakeApi other;
  HttpApi second({s.base.substr(7), ""}, {}, other);
  const auto taken = second.start();
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.error().kind == ErrorKind::listen);
  CHECK(taken.error().message.find("cannot listen on " + s.base.substr(7)) == 0);
}

TEST_CASE("alerts client: list as a table, ack, and errors that say what to do") {
  Served s;
  watchdog::AlertsClient c{s.base, "s3cret-token"};
  const auto list = watchdog::fetch_alerts(c);
  REQUIRE(list.ok());
  const auto text = watchdog::alerts_text(*list, 1300.0);
  CHECK(text.find("ID      SEVERITY") == 0);
  CHECK(text.find("3f9a1c  critical  wal          5m ago  2     -                      in 5m      "
                  "slot standby1 retains 41 GiB") != std::string::npos);
  CHECK(text.find("silence: disk for 2h more, by bob: resize") != std::string::npos);
  CHECK(watchdog::alerts_text(nlohmann::json{{"alerts", nlohmann::json::array()}}, 0) == "no active alerts\n");

  CHECK(watchdog::post_ack(c, "3f9a1c", "alice", "30m", "").ok());
  CHECK(s.api.last == "alice|1800|");
  const auto unknown = watchdog::post_ack(c, "ffffff", "alice", "", "");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message == "no active alert has the id ffffff (hsops alerts list shows the active ones)");
  const auto no_token = watchdog::post_ack({s.base, ""}, "3f9a1c", "alice", "", "");
  REQUIRE_FALSE(no_token.ok());
  CHECK(no_token.error().message.find("watchdog.api_token_file") != std::string::npos);

  const auto down = watchdog::fetch_alerts({"http://127.0.0.1:1", ""});
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().message.find("cannot reach the watchdog at http://127.0.0.1:1") == 0);
  CHECK(down.error().message.find("is hsops-watchdog running?") != std::string::npos);
  CHECK(watchdog::watchdog_url("0.0.0.0:9187") == "http://127.0.0.1:9187");
}
