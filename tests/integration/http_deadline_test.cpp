// net::perform against real sockets on 127.0.0.1: the outage lesson ("an HTTP call with no
// timeout wedged the bridge path for hours") as executable checks. A peer that accepts and
// never answers must end in a "timeout" value close to the total deadline.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "net/http.h"
#include "net/json.h"
#include "support/local_http_server.h"

using namespace std::chrono_literals;
using hsops::test::CannedResponse;
using hsops::test::LocalHttpServer;
using Clock = std::chrono::steady_clock;

namespace {

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

hsops::net::Request request_for(const std::string& url, std::chrono::milliseconds total = 2000ms) {
  hsops::net::Request request;
  request.url = url;
  request.deadlines = {1000ms, total};
  return request;
}

}  // namespace

TEST_CASE("a peer that accepts and never answers ends in 'timeout' at the total deadline") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  const auto start = Clock::now();
  auto result = hsops::net::perform(request_for(hole.url("/x"), 1500ms));
  const auto elapsed = since(start);
  WARN("black-hole GET ended after " << elapsed.count() << " ms (total deadline 1500 ms)");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::timeout);
  CHECK(result.error().message == "GET " + hole.url("/x") + ": no response within 1500 ms (total deadline)");
  CHECK(elapsed >= 1500ms);
  CHECK(elapsed < 2000ms);
  CHECK(hole.connection_count() == 1);
}

TEST_CASE("a peer that never completes the TCP handshake ends in 'connect_timeout'") {
  LocalHttpServer dropped(LocalHttpServer::Mode::syn_drop);
  hsops::net::Request request = request_for(dropped.url("/x"), 3000ms);
  request.deadlines.connect = 500ms;
  const auto start = Clock::now();
  auto result = hsops::net::perform(request);
  const auto elapsed = since(start);
  REQUIRE_FALSE(result.ok());
  INFO(result.error().message);
  CHECK(result.error().kind == hsops::ErrorKind::connect_timeout);
  CHECK(result.error().message.rfind("GET " + dropped.url("/x") + ": could not connect within 500 ms (connect deadline", 0) == 0);
  CHECK(elapsed >= 500ms);
  CHECK(elapsed < 1000ms);
}

TEST_CASE("a TLS handshake into a black hole ends in 'connect_timeout' at the connect deadline") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  hsops::net::Request request = request_for("https://127.0.0.1:" + std::to_string(hole.port()) + "/x", 3000ms);
  request.deadlines.connect = 500ms;
  const auto start = Clock::now();
  auto result = hsops::net::perform(request);
  const auto elapsed = since(start);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::connect_timeout);
  INFO(result.error().message);
  CHECK(result.error().message.find("TLS handshake not finished within 500 ms") != std::string::npos);
  CHECK(elapsed >= 500ms);
  CHECK(elapsed < 1000ms);
}

TEST_CASE("a server that sends headers then stalls the body ends in 'timeout'") {
  LocalHttpServer server;
  CannedResponse stall{200, {}, "never sent"};
  stall.stall_after_headers = true;
  server.route("/stall", stall);
  const auto start = Clock::now();
  auto result = hsops::net::perform(request_for(server.url("/stall"), 800ms));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::timeout);
  INFO(result.error().message);
  CHECK(result.error().message.find("response not complete within 800 ms") != std::string::npos);
  CHECK(since(start) < 1300ms);
}

TEST_CASE("a closed port is 'refused' / quickly") {
  const auto port = hsops::test::closed_port();
  const auto start = Clock::now();
  auto result = hsops::net::perform(request_for("http://127.0.0.1:" + std::to_string(port) + "/x"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::refused);
  CHECK(result.error().message.rfind("GET http://127.0.0.1:" + std::to_string(port) + "/x: ", 0) == 0);
  CHECK(since(start) < 500ms);
}

TEST_CASE("a normal GET returns status / lower-cased headers and body") {
  LocalHttpServer server;
  server.route("/_matrix/client/versions",
               {200, {{"Content-Type", "application/json"}, {"X-Mixed-Case", "Value"}}, R"({"versions":["v1.1"]})"});
  auto result = hsops::net::get(server.url("/_matrix/client/versions?x=1"), {1000ms, 2000ms});
  REQUIRE(result.ok());
  CHECK(result->status == 200);
  CHECK(result->header("content-type") == "application/json");
  CHECK(result->headers.count("x-mixed-case") == 1);
  CHECK(result->header("x-mixed-case") == "Value");
  CHECK(result->body == R"({"versions":["v1.1"]})");
  CHECK(result->attempts == 1);
  CHECK(result->elapsed < 1000ms);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/_matrix/client/versions?x=1");
  CHECK(seen[0].headers.at("user-agent") == "hsops/0.1");
}

TEST_CASE("HTTP 4xx/5xx and 3xx are responses / and redirects are not followed by default") {
  LocalHttpServer server;
  server.route("/missing", {404, {}, "nope"});
  server.route("/moved", {302, {{"Location", "/missing"}}, ""});
  auto missing = hsops::net::get(server.url("/missing"), {1000ms, 2000ms});
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
  auto moved = hsops::net::get(server.url("/moved"), {1000ms, 2000ms});
  REQUIRE(moved.ok());
  CHECK(moved->status == 302);
  CHECK(moved->header("location") == "/missing");
  CHECK(server.request_count("/missing") == 1);

  auto follow = request_for(server.url("/moved"));
  follow.follow_redirects = true;
  auto followed = hsops::net::perform(follow);
  REQUIRE(followed.ok());
  CHECK(followed->status == 404);
  CHECK(followed->header("location").empty());
}

TEST_CASE("503 is retried with backoff only when on_5xx is set") {
  LocalHttpServer server;
  server.route("/busy", {503, {{"Retry-After", "1"}}, "busy"});
  auto request = request_for(server.url("/busy"));
  request.retry.attempts = 3;
  request.retry.initial_backoff = 100ms;

  SECTION("without on_5xx: one request, the 503 returned") {
    auto result = hsops::net::perform(request);
    REQUIRE(result.ok());
    CHECK(result->status == 503);
    CHECK(server.request_count("/busy") == 1);
  }
  SECTION("with on_5xx: three requests, 100 ms then 200 ms apart at least") {
    request.retry.on_5xx = true;
    const auto start = Clock::now();
    auto result = hsops::net::perform(request);
    REQUIRE(result.ok());
    CHECK(result->status == 503);
    CHECK(result->attempts == 3);
    CHECK(since(start) >= 300ms);
    const auto seen = server.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1].received - seen[0].received >= 100ms);
    CHECK(seen[2].received - seen[1].received >= 200ms);
  }
}

TEST_CASE("network errors are retried within the budget / and the message says how often") {
  const auto port = hsops::test::closed_port();
  auto request = request_for("http://127.0.0.1:" + std::to_string(port) + "/x");
  request.retry.attempts = 3;
  request.retry.initial_backoff = 50ms;
  const auto start = Clock::now();
  auto result = hsops::net::perform(request);
  const auto elapsed = since(start);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::refused);
  CHECK(result.error().message.find("(attempt 3 of 3)") != std::string::npos);
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < hsops::net::detail::retry_budget(request));
}

TEST_CASE("retries against a black hole stay within attempts * total + backoffs") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  auto request = request_for(hole.url("/x"), 400ms);
  request.retry.attempts = 2;
  request.retry.initial_backoff = 100ms;
  const auto start = Clock::now();
  auto result = hsops::net::perform(request);
  const auto elapsed = since(start);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind == hsops::ErrorKind::timeout);
  CHECK(hole.connection_count() == 2);
  CHECK(elapsed >= 900ms);
  CHECK(elapsed <= hsops::net::detail::retry_budget(request) + 50ms);
}

TEST_CASE("a body larger than max_body_bytes is an error / with or without Content-Length") {
  LocalHttpServer server;
  const std::string big(2 * 1024 * 1024, 'x');
  server.route("/big", {200, {}, big});
  CannedResponse unannounced{200, {}, big};
  unannounced.content_length = false;
  server.route("/big-stream", unannounced);
  for (const std::string path : {"/big", "/big-stream"}) {
    INFO(path);
    auto request = request_for(server.url(path));
    request.max_body_bytes = 1024 * 1024;
    auto result = hsops::net::perform(request);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == hsops::ErrorKind::network);
    CHECK(result.error().message.find("response larger than 1048576 bytes") != std::string::npos);
    // The default cap (16 MiB) lets the same body through.
    auto fine = hsops::net::perform(request_for(server.url(path)));
    REQUIRE(fine.ok());
    CHECK(fine->body.size() == big.size());
  }
}

TEST_CASE("a slow answer within the deadline succeeds") {
  LocalHttpServer server;
  CannedResponse slow{200, {}, "late but fine"};
  slow.delay = 300ms;
  server.route("/slow", slow);
  auto result = hsops::net::perform(request_for(server.url("/slow"), 2000ms));
  REQUIRE(result.ok());
  CHECK(result->body == "late but fine");
  CHECK(result->elapsed >= 300ms);
  CHECK(result->elapsed < 2000ms);
}

TEST_CASE("perform_json sends JSON with the right headers and parses the reply") {
  LocalHttpServer server;
  server.route("/json", {200, {{"Content-Type", "application/json"}}, R"({"ok":true,"n":3})"});
  server.route("/html", {502, {{"Content-Type", "text/html"}}, "<html>Bad Gateway</html>"});
  auto request = request_for(server.url("/json"));
  request.method = "POST";
  request.headers = {{"content-type", "text/plain"}};
  auto result = hsops::net::perform_json(request, {{"msgtype", "m.text"}, {"body", "canary"}});
  REQUIRE(result.ok());
  CHECK(result->http.status == 200);
  CHECK(result->json["ok"] == true);
  CHECK(result->json["n"] == 3);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].headers.at("content-type") == "application/json");
  CHECK(seen[0].headers.at("accept") == "application/json");
  CHECK(nlohmann::json::parse(seen[0].body) == nlohmann::json{{"msgtype", "m.text"}, {"body", "canary"}});

  auto html = hsops::net::perform_json(request_for(server.url("/html")), nullptr);
  REQUIRE(html.ok());
  CHECK(html->http.status == 502);
  CHECK(html->json.is_null());
  auto parsed = hsops::net::parse_json(html->http, server.url("/html"));
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.error().kind == hsops::ErrorKind::parse);
  CHECK(parsed.error().message.rfind(server.url("/html") + ": response is not JSON: ", 0) == 0);
}

TEST_CASE("https:// to a plain-HTTP server is an error / never a success") {
  LocalHttpServer server;
  server.route("/x", {200, {}, "plain"});
  auto result = hsops::net::perform(request_for("https://127.0.0.1:" + std::to_string(server.port()) + "/x"));
  REQUIRE_FALSE(result.ok());
  CHECK((result.error().kind == hsops::ErrorKind::tls || result.error().kind == hsops::ErrorKind::network));
}
