#include <catch2/catch.hpp>

#include "checks/appservice/config.h"
#include "checks/appservice/check.h"

using namespace hsops;
using namespace hsops::checks::appservice;
using namespace std::chrono_literals;

namespace {

net::Response answer(long status, std::string body) {
  net::Response r;
  r.status = status;
  r.body = std::move(body);
  r.elapsed = 12ms;
  r.headers["content-type"] = "application/json";
  return r;
}

const Measurement* find(const CheckResult& r, const std::string& metric) {
  for (const auto& m : r.measurements) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("appservice ping: M_CONNECTION_FAILED with PartialDownloadError names the appservice's HTTP status",
          "[appservice][ping]") {
  const auto o = classify_ping(
      answer(502, R"({"errcode":"M_CONNECTION_FAILED","error":"Failed to ping application service: PartialDownloadError: 500"})"),
      true, 5s);
  CHECK(o.kind == PingKind::bad_status);
  CHECK(o.detail == "appservice answered HTTP 500");
  CHECK(ping_status(o.kind) == Status::critical);
}

TEST_CASE("appservice ping: every answer Synapse gives is classified", "[appservice][ping]") {
  auto o = classify_ping(answer(200, R"({"duration_ms":7})"), true, 5s);
  CHECK(o.kind == PingKind::ok);
  CHECK(o.appservice_seconds == Approx(0.007));
  CHECK(classify_ping(answer(400, R"({"errcode":"M_URL_NOT_SET","error":"x"})"), true, 5s).kind == PingKind::url_not_set);
  CHECK(classify_ping(answer(403, R"({"errcode":"M_FORBIDDEN","error":"x"})"), true, 5s).kind == PingKind::forbidden);
  o = classify_ping(answer(502, R"({"errcode":"M_BAD_STATUS","status":500,"body":"boom"})"), true, 5s);
  CHECK(o.kind == PingKind::bad_status);
  CHECK(o.detail == "appservice answered HTTP 500: boom");
  CHECK(classify_ping(answer(502, R"({"errcode":"M_BAD_STATUS","status":404,"body":""})"), true, 5s).kind ==
        PingKind::not_implemented);
  CHECK(classify_ping(answer(502, R"({"errcode":"M_CONNECTION_FAILED"})"), true, 5s).kind == PingKind::connection_failed);
  CHECK(classify_ping(answer(504, R"({"errcode":"M_CONNECTION_TIMEOUT"})"), true, 5s).kind == PingKind::connection_timeout);
  CHECK(classify_ping(answer(502, R"({"errcode":"M_CONNECTION_FAILED","error":"Failed: PartialDownloadError: x"})"), true, 5s).kind ==
        PingKind::connection_failed);
  CHECK(classify_ping(answer(502, R"({"errcode":"FI.MAU.MSC2659_CONNECTION_FAILED"})"), true, 5s).kind ==
        PingKind::connection_failed);
  CHECK(classify_ping(answer(502, "<html>bad gateway</html>"), true, 5s).kind == PingKind::other);
  o = classify_ping(Error{ErrorKind::timeout, "POST ...: timed out"}, true, 5s);
  CHECK(o.kind == PingKind::hangs);
  CHECK(o.detail.find("homeserver -> appservice call hangs") == 0);
  CHECK(ping_status(PingKind::hangs) == Status::critical);
  CHECK(classify_ping(Error{ErrorKind::timeout, "x"}, false, 5s).kind == PingKind::homeserver_down);
  CHECK(ping_status(PingKind::homeserver_down) == Status::unknown);
  CHECK(scrub("token abc in abc", "abc") == "token REDACTED in REDACTED");
}

TEST_CASE("appservice report: healthy / hung with Synapse's backlog / lint", "[appservice][report]") {
  Thresholds t;
  Report healthy;
  PingOutcome ok;
  ok.kind = PingKind::ok;
  ok.appservice_seconds = 0.004;
  healthy.services.push_back({"irc", ok});
  healthy.delivery = SynapseDelivery{{}, 0.0};
  auto r = build_appservice_result(healthy, t);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "irc: ping 4 ms, up, none pending");
  REQUIRE(find(r, "hsops_appservice_up"));
  CHECK(find(r, "hsops_appservice_up")->value == 1);
  CHECK(find(r, "hsops_appservice_up")->metric_labels.at("appservice") == "irc");

  Report hung;
  PingOutcome h = classify_ping(Error{ErrorKind::timeout, "x"}, true, 5s);
  hung.services.push_back({"irc", h});
  SynapseDelivery d;
  d.by_id["irc"] = DeliveryState{true, 3, 400.0};
  d.sender_lag_events = 0;
  hung.delivery = d;
  r = build_appservice_result(hung, t);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.rfind("irc: homeserver -> appservice call hangs", 0) == 0);
  CHECK(r.summary.find("Synapse marks it down") != std::string::npos);
  CHECK(r.summary.find("oldest pending transaction waits") != std::string::npos);
  CHECK(find(r, "hsops_appservice_pending_transactions")->value == 3);
  CHECK(find(r, "hsops_appservice_ping_success")->value == 0);

  Report linted = healthy;
  linted.lint.push_back({Status::warning, "irc", "users regex 'x' is exclusive but not anchored with ^"});
  r = build_appservice_result(linted, t);
  CHECK(r.status == Status::warning);
  CHECK(r.summary == "irc: users regex 'x' is exclusive but not anchored with ^");
  CHECK(build_appservice_result(Report{}, t).status == Status::unknown);
}

TEST_CASE("appservice config: defaults / ping deadline capped by -t / database section", "[appservice][config]") {
  const FakeClock clock;
  checks::Services services{.clock = clock, .timeout = Millis(3000)};
  const auto doc = config::Document::parse(
      "checks:\n  appservice:\n    homeserver_url: http://127.0.0.1:8008/\n    registrations: [/etc/as/irc.yaml]\n"
      "    ping_timeout: 8s\n    database:\n      conninfo: 'host=/tmp dbname=synapse'\n",
      "t.yaml");
  const auto o = checks::read_appservice_options(doc.root().child("checks").child("appservice"), services);
  CHECK(o.homeserver_url == "http://127.0.0.1:8008");
  CHECK(o.deadlines.total == 3000ms);
  REQUIRE(o.database);
  CHECK(o.database->conninfo == "host=/tmp dbname=synapse");
  const auto bad = config::Document::parse("checks:\n  appservice:\n    homeserver_url: https://h\n    registrations: [rel.yaml]\n", "b.yaml");
  CHECK_THROWS_AS(checks::read_appservice_options(bad.root().child("checks").child("appservice"), services), config::ConfigError);
}
