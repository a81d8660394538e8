// The Patroni REST calls against a local HTTP fixture answering as Patroni 3.0 does:
// POST /switchover's JSON and basic auth, its answers quoted, /cluster from the next URL.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "failover/patroni_api.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace hsops::failover;
using hsops::test::LocalHttpServer;

namespace {

const std::string kCluster =
    R"({"members": [{"name": "pg1", "role": "leader", "state": "running", "api_url": "http://x/patroni", "timeline": 2},)"
    R"( {"name": "pg2", "role": "replica", "state": "running", "api_url": "http://y/patroni", "timeline": 2, "lag": 0}]})";

}  // namespace

TEST_CASE("patroni api: POST switchover sends leader and candidate with basic auth", "[failover][patroni]") {
  LocalHttpServer patroni;
  patroni.route("/switchover", {200, {{"Content-Type", "text/plain"}}, "Successfully switched over to \"pg2\""});
  PatroniApi api;
  api.urls = {patroni.url("/").substr(0, patroni.url("/").size() - 1)};
  api.username = "patroni";
  api.password = "s3cret";
  auto r = post_switchover(api, api.urls[0], "pg1", "pg2", Millis(5000));
  REQUIRE(r.ok());
  CHECK(r.value() == "Successfully switched over to \"pg2\"");
  const auto requests = patroni.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(nlohmann::json::parse(requests[0].body) == nlohmann::json{{"leader", "pg1"}, {"candidate", "pg2"}});
  CHECK(requests[0].headers.at("authorization") == "Basic cGF0cm9uaTpzM2NyZXQ=");  // patroni:s3cret
}

TEST_CASE("patroni api: a refusal is quoted and the password is not", "[failover][patroni]") {
  LocalHttpServer patroni;
  patroni.route("/switchover", {412, {}, "switchover is not possible: no good candidates have been found"});
  PatroniApi api;
  api.urls = {patroni.url("/").substr(0, patroni.url("/").size() - 1)};
  api.username = "patroni";
  api.password = "s3cret";
  auto r = post_switchover(api, api.urls[0], "pg1", "pg2", Millis(5000));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("HTTP 412") && Catch::Contains("no good candidates"));
  CHECK_THAT(r.error().message, !Catch::Contains("s3cret") && !Catch::Contains("cGF0"));
}

TEST_CASE("patroni api: /cluster from the first URL that answers usably", "[failover][patroni]") {
  LocalHttpServer broken, good;
  broken.route("/cluster", {503, {}, ""});
  good.route("/cluster", {200, {{"Content-Type", "application/json"}}, kCluster});
  PatroniApi api;
  api.urls = {broken.url("/").substr(0, broken.url("/").size() - 1), good.url("/").substr(0, good.url("/").size() - 1)};
  std::string source;
  auto c = read_patroni_cluster(api, Millis(3000), &source);
  REQUIRE(c.ok());
  CHECK(source == api.urls[1]);
  CHECK(patroni_leader(c.value()) == "pg1");
  api.urls = {api.urls[0]};
  auto none = read_patroni_cluster(api, Millis(3000));
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.error().message, Catch::Contains("HTTP 503"));
}
