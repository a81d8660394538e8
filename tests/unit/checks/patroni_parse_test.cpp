#include <catch2/catch.hpp>

#include "checks/patroni/parse.h"

using namespace hsops;
using namespace hsops::checks::patroni;

namespace {

// As Patroni 3.0 writes GET /cluster (patroni/utils.py cluster_as_json).
constexpr const char* kCluster = R"({"members": [
  {"name": "pg1", "role": "leader", "state": "running", "api_url": "http://127.0.0.1:8008/patroni",
   "host": "127.0.0.1", "port": 5432, "timeline": 2},
  {"name": "pg2", "role": "replica", "state": "streaming", "api_url": "http://127.0.0.1:8009/patroni",
   "host": "127.0.0.1", "port": 5433, "timeline": 2, "lag": 4096},
  {"name": "pg3", "role": "sync_standby", "state": "stopped", "api_url": "http://127.0.0.1:8010/patroni",
   "lag": "unknown"}]})";

}  // namespace

TEST_CASE("patroni parse: /cluster as Patroni 3.0 writes it", "[patroni][parse]") {
  auto c = parse_cluster(kCluster);
  REQUIRE(c);
  const auto& m = c.value().members;
  REQUIRE(m.size() == 3);
  CHECK(m[0].name == "pg1");
  CHECK(m[0].role == "leader");
  CHECK(m[0].timeline == 2);
  CHECK_FALSE(m[0].lag_bytes);
  CHECK(m[1].lag_bytes == 4096);
  CHECK_FALSE(m[2].timeline);
  CHECK_FALSE(m[2].lag_bytes);
  CHECK(m[2].lag_unknown);
  CHECK_FALSE(c.value().paused);
  CHECK(member_for_url(c.value(), "http://127.0.0.1:8009") == "pg2");
  CHECK(member_for_url(c.value(), "http://127.0.0.1:8009/") == "pg2");
  CHECK(member_for_url(c.value(), "http://127.0.0.1:9999").empty());
}

TEST_CASE("patroni parse: pause and scheduled switchover", "[patroni][parse]") {
  auto c = parse_cluster(R"({"members": [], "pause": true, "scheduled_switchover": {"at": "2026-01-01T00:00:00+00:00"}})");
  REQUIRE(c);
  CHECK(c.value().paused);
  CHECK(c.value().members.empty());
}

TEST_CASE("patroni parse: what is missing is named", "[patroni][parse]") {
  struct Row {
    const char* body;
    const char* names;
  };
  const std::vector<Row> rows{
      {"not json", "/cluster answer is not JSON"},
      {"[1]", "not a JSON object"},
      {R"({"leader": "pg1"})", "no 'members' list"},
      {R"({"members": [{"name": "pg1", "state": "running"}]})", "member 0 has no 'role'"},
      {R"({"members": [{"name": "pg1", "role": "leader", "state": "running"}, {"role": "replica"}]})", "member 1 has no 'name'"},
      {R"({"members": [{"name": "pg2", "role": "replica", "state": "running", "lag": "far"}]})", "neither bytes nor"},
      {R"({"members": ["pg1"]})", "member 0 is not an object"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    auto c = parse_cluster(row.body);
    REQUIRE_FALSE(c);
    CHECK(c.error().kind == ErrorKind::json);
    CHECK(c.error().message.find(row.names) != std::string::npos);
  }
}

TEST_CASE("patroni parse: /patroni", "[patroni][parse]") {
  auto s = parse_status(R"({"state": "running", "role": "replica", "dcs_last_seen": 1700000000, "timeline": 2,
                            "patroni": {"version": "3.0.2", "scope": "hs"}})");
  REQUIRE(s);
  CHECK(s.value().dcs_last_seen == 1700000000);
  CHECK(s.value().scope == "hs");
  CHECK(s.value().name.empty());

  auto old = parse_status(R"({"state": "running", "role": "master"})");
  REQUIRE(old);
  CHECK_FALSE(old.value().dcs_last_seen);

  auto broken = parse_status(R"({"state": "running"})");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().message.find("no 'state' and 'role'") != std::string::npos);
  CHECK_FALSE(parse_status(R"({"state": "running", "role": "replica", "dcs_last_seen": "soon"})"));
}
