// The client against a fake homeserver: 429 handling within the deadline, errcodes, and a
// peer that never answers must end at the deadline.
#include <catch2/catch.hpp>

#include "matrix/client.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace std::chrono_literals;
using hsops::test::CannedResponse;
using hsops::test::LocalHttpServer;

namespace {

matrix::Client client_for(const std::string& base, const Clock& clock, std::chrono::milliseconds budget) {
  matrix::ClientOptions o;
  o.base_url = base;
  o.deadlines = net::Deadlines{1000ms, 5000ms};
  return matrix::Client(o, clock, clock.monotonic() + budget);
}

// Answers 429 `times` times, then 200: the server's routes are swapped by a watcher thread.
CannedResponse rate_limited(const std::string& retry_after) {
  return {429, {{"Content-Type", "application/json"}, {"Retry-After", retry_after}},
          R"({"errcode":"M_LIMIT_EXCEEDED","error":"Too Many Requests","retry_after_ms":5000})"};
}

}  // namespace

TEST_CASE("url_encode keeps only unreserved characters", "[matrix][client]") {
  CHECK(matrix::url_encode("!abc:hsops.test") == "%21abc%3Ahsops.test");
  CHECK(matrix::url_encode("a-b_c.d~e") == "a-b_c.d~e");
}

TEST_CASE("a 2xx JSON object comes back - the token goes in the header only", "[matrix][client]") {
  LocalHttpServer server;
  server.route("/_matrix/client/v3/account/whoami", {200, {{"Content-Type", "application/json"}}, R"({"user_id":"@p:x"})"});
  SystemClock clock;
  auto c = client_for(server.url(""), clock, 5s);
  c.set_access_token("SECRET-TOKEN");
  auto r = c.call("GET", "/_matrix/client/v3/account/whoami");
  REQUIRE(r.ok());
  CHECK(r.value()["user_id"] == "@p:x");
  const auto req = server.requests().at(0);
  CHECK(req.headers.at("authorization") == "Bearer SECRET-TOKEN");
  CHECK(req.target.find("SECRET") == std::string::npos);
}

TEST_CASE("M_FORBIDDEN is an error with the errcode as kind", "[matrix][client]") {
  LocalHttpServer server;
  server.route("/_matrix/client/v3/login", {403, {}, R"({"errcode":"M_FORBIDDEN","error":"Invalid username or password"})"});
  SystemClock clock;
  auto c = client_for(server.url(""), clock, 5s);
  auto r = c.call("POST", "/_matrix/client/v3/login", {{"password", "hunter2"}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().errcode == "M_FORBIDDEN");
  CHECK(r.error().message.find("hunter2") == std::string::npos);
}

TEST_CASE("429 with Retry-After is retried after the wait the header asks for", "[matrix][client]") {
  LocalHttpServer server;
  server.route("/_matrix/client/versions", rate_limited("1"));
  SystemClock clock;
  auto c = client_for(server.url(""), clock, 5s);
  // Let the first attempt through as 429, then fix the route.
  std::thread fixer([&] {
    while (server.request_count() == 0) std::this_thread::sleep_for(5ms);
    server.route("/_matrix/client/versions", {200, {}, R"({"versions":["v1.11"]})"});
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.call("GET", "/_matrix/client/versions");
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  fixer.join();
  REQUIRE(r.ok());
  CHECK(c.rate_limited() == 1);
  CHECK(server.request_count() == 2);
  CHECK(elapsed >= 950ms);   // Retry-After: 1 (not retry_after_ms 5000)
  CHECK(elapsed < 3000ms);
}

TEST_CASE("429 whose wait exceeds the deadline is reported at once", "[matrix][client]") {
  LocalHttpServer server;
  server.route("/_matrix/client/versions", rate_limited("30"));
  SystemClock clock;
  auto c = client_for(server.url(""), clock, 3s);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.call("GET", "/_matrix/client/versions");
  REQUIRE_FALSE(r.ok());
  CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  CHECK(r.error().errcode == "M_LIMIT_EXCEEDED");
  CHECK(r.error().message.find("30000 ms") != std::string::npos);
  CHECK(r.error().message.find("deadline") != std::string::npos);
  CHECK(server.request_count() == 1);
}

TEST_CASE("a peer that never answers ends at the run's deadline", "[matrix][client]") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  SystemClock clock;
  auto c = client_for(hole.url(""), clock, 1500ms);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = c.call("GET", "/_matrix/client/versions");
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::timeout);
  CHECK(elapsed >= 1400ms);
  CHECK(elapsed < 2500ms);
  // Nothing left: the next call does not even start.
  auto again = c.call("GET", "/_matrix/client/versions");
  CHECK(again.error().kind == hsops::ErrorKind::timeout);
}

TEST_CASE("a closed port is refused quickly", "[matrix][client]") {
  SystemClock clock;
  auto c = client_for("http://127.0.0.1:" + std::to_string(test::closed_port()), clock, 5s);
  auto r = c.call("GET", "/_matrix/client/versions");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::refused);
}

TEST_CASE("network errors name the path without the query string", "[matrix][client]") {
  LocalHttpServer hole(LocalHttpServer::Mode::black_hole);
  SystemClock clock;
  auto c = client_for(hole.url(""), clock, 500ms);
  auto r = c.call("GET", "/_matrix/client/v3/sync?filter=%7B%22room%22%7D&since=s123&timeout=30000");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("/_matrix/client/v3/sync") != std::string::npos);
  CHECK(r.error().message.find("filter") == std::string::npos);
  CHECK(r.error().message.find("s123") == std::string::npos);
}
