// The patroni backend without a cluster: playbook parsing and validation, the default
// sequences, and the preconditions from a canned /cluster (parsed by the patroni check's parser).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "checks/patroni/parse.h"
#include "failover/patroni_api.h"
#include "failover/playbook.h"
#include "failover/preconditions.h"
#include "failover/step_types.h"

using namespace hsops;
using namespace hsops::failover;

namespace {

std::string example_text() {
  std::ifstream in(std::string(HSOPS_SOURCE_DIR) + "/playbooks/patroni-example.yaml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Playbook parse(const std::string& text) {
  ::setenv("HSOPS_FAILOVER_PG_PASSWORD", "secret", 1);
  ::setenv("HSOPS_PROBE_PASSWORD", "secret", 1);
  ::setenv("HSOPS_PATRONI_REST_PASSWORD", "restsecret", 1);
  return parse_playbook(config::Document::parse(text, "pb.yaml"));
}

std::string edited(const std::string& from, const std::string& to) {
  std::string text = example_text();
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    (void)parse(text);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> types(const std::vector<StepSpec>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps) out.push_back((s.params.count("half") ? "back:" : "") + s.type);
  return out;
}

// Patroni 3.0.2's /cluster for the profile: pg1 leads, pg2 replicates.
std::string cluster_json(const std::string& lag = "0", bool paused = false, const std::string& replica_state = "running") {
  return R"({"members": [
    {"name": "db1", "role": "leader", "state": "running", "api_url": "http://db1:8008/patroni", "host": "db1", "port": 5432, "timeline": 3},
    {"name": "db2", "role": "replica", "state": ")" + replica_state + R"(", "api_url": "http://db2:8008/patroni", "host": "db2", "port": 5432, "timeline": 3, "lag": )" + lag + R"(}
  ])" + (paused ? std::string(R"(, "pause": true)") : std::string()) + "}";
}

TopologyState observed(const Playbook& p, const std::string& body) {
  TopologyState t;
  PatroniState ps;
  auto c = checks::patroni::parse_cluster(body);
  REQUIRE(c.ok());
  ps.cluster = c.value();
  ps.source = "http://db1:8008";
  t.patroni = ps;
  const auto leader = patroni_leader(*ps.cluster);
  if (!leader.empty()) t.roles = Roles{leader, leader == p.primary ? p.standby : p.primary, p.active, p.spare};
  else t.roles_problem = "Patroni shows no single running leader";
  return t;
}

}  // namespace

TEST_CASE("patroni backend: the example playbook parses with the Patroni sequences", "[failover][patroni]") {
  const auto p = parse(example_text());
  CHECK(p.backend == Backend::patroni);
  REQUIRE(p.patroni.urls.size() == 2);
  CHECK(p.patroni.urls[0] == "http://db1.example.org:8008");
  CHECK(p.patroni.username == "patroni");
  CHECK(p.patroni.password == std::optional<std::string>("restsecret"));
  CHECK(p.databases.at("db1").data_dir.empty());
  CHECK(types(p.operations.at("switchover").steps) ==
        std::vector<std::string>{"patroni.check", "confirm", "homeserver.stop", "patroni.switchover", "pg.verify_primary",
                                 "homeserver.start", "route.switch", "probe"});
  CHECK(p.operations.at("switchover").steps[4].node_role == "standby");
  CHECK(p.operations.at("promote").steps.empty());
  const auto drill = types(p.operations.at("drill").steps);
  CHECK(drill == std::vector<std::string>{"patroni.check", "marker.write", "homeserver.stop", "patroni.switchover",
                                          "pg.verify_primary", "homeserver.start", "route.switch", "probe", "marker.check",
                                          "back:patroni.check", "back:marker.write", "back:homeserver.stop",
                                          "back:patroni.switchover", "back:pg.verify_primary", "back:homeserver.start",
                                          "back:route.switch", "back:probe", "back:marker.check"});
}

TEST_CASE("patroni backend: follow moves the homeserver after Patroni's leader", "[failover][patroni][follow]") {
  const auto p = parse(example_text());
  const auto& follow = p.operations.at("follow").steps;
  CHECK(types(follow) ==
        std::vector<std::string>{"homeserver.stop", "pg.verify_primary", "homeserver.start", "route.switch", "probe"});
  CHECK(follow[1].node_role == "primary");  // the new leader, as /cluster names it
  // Only the running leader is needed: the old one may be dead.
  CHECK(check_preconditions("follow", p, observed(p, cluster_json("0", false, "stopped")), false).refusals.empty());
  auto none = observed(p, cluster_json());
  none.roles.reset();
  none.roles_problem = "Patroni shows no single running leader";
  CHECK(check_preconditions("follow", p, none, false).refusals ==
        std::vector<std::string>{"Patroni shows no single running leader"});
  // The native backend has no follow: hsops elects no leader.
  std::ifstream in(std::string(HSOPS_SOURCE_DIR) + "/playbooks/example.yaml");
  std::stringstream native;
  native << in.rdbuf();
  const auto native_playbook = parse(native.str());
  CHECK(native_playbook.operations.count("follow") == 0);
  CHECK_THAT(error_of(native.str() + "  follow:\n    - {type: probe}\n"),
             Catch::Contains("follow") && Catch::Contains("needs `database.backend: patroni`"));
}

TEST_CASE("patroni backend: the native default is unchanged", "[failover][patroni]") {
  CHECK(default_steps("switchover", Backend::native).size() == default_steps("switchover").size());
  CHECK(types(default_steps("drill")).front() == "pg.check_replication");
  CHECK(default_steps("promote", Backend::patroni).empty());
}

TEST_CASE("patroni backend: validation names the place and the reason", "[failover][patroni]") {
  CHECK_THAT(error_of(edited("backend: patroni", "backend: repmgr")),
             Catch::Contains("pb.yaml:7:") && Catch::Contains("must be `native`"));
  CHECK_THAT(error_of(edited("    urls: [http://db1.example.org:8008, http://db2.example.org:8008]\n", "")),
             Catch::Contains("urls") && Catch::Contains("is required"));
  CHECK_THAT(error_of(edited("urls: [http://db1.example.org:8008", "urls: [db1:8008")), Catch::Contains("not an http(s) URL"));
  CHECK_THAT(error_of(edited("    username: patroni\n", "")), Catch::Contains("both `username` and `password_file`"));
  CHECK_THAT(error_of(edited("      password_env: HSOPS_FAILOVER_PG_PASSWORD\n    db2:",
                             "      password_env: HSOPS_FAILOVER_PG_PASSWORD\n      data_dir: /var/lib/pg\n    db2:")),
             Catch::Contains("data_dir") && Catch::Contains("Patroni starts and stops its PostgreSQL"));
  // hsops never promotes behind Patroni's back.
  CHECK_THAT(error_of(example_text() + "operations:\n  switchover:\n    - {type: pg.promote}\n"),
             Catch::Contains("pg.promote is not allowed with `database.backend: patroni`"));
  CHECK_THAT(error_of(example_text() + "operations:\n  promote:\n    - {type: confirm}\n"),
             Catch::Contains("with Patroni, failover is automatic"));
  CHECK(error_of(example_text() + "operations:\n  switchover:\n    - {type: patroni.check}\n    - {type: patroni.switchover}\n"
                                  "    - {type: pg.verify_primary}\n    - {type: route.switch}\n")
            .empty());
  // And patroni.* needs the backend.
  std::string native = example_text();
  native.replace(native.find("  backend: patroni\n"), 18, "");
  CHECK_THAT(error_of(native), Catch::Contains("database.patroni") || Catch::Contains("patroni"));
}

TEST_CASE("patroni backend: patroni steps are refused with the native backend", "[failover][patroni]") {
  CHECK(backend_refusal("patroni.switchover", Backend::native) == "patroni.switchover needs `database.backend: patroni`");
  CHECK(backend_refusal("pg.fence", Backend::patroni).find("never fences, promotes") != std::string::npos);
  CHECK(backend_refusal("pg.verify_primary", Backend::patroni).empty());
  CHECK(backend_refusal("pg.promote", Backend::native).empty());
}

TEST_CASE("patroni backend: preconditions from a canned /cluster", "[failover][patroni]") {
  const auto p = parse(example_text());
  CHECK(check_preconditions("switchover", p, observed(p, cluster_json()), false).refusals.empty());
  CHECK(check_preconditions("drill", p, observed(p, cluster_json("1024")), false).refusals.empty());

  const auto paused = check_preconditions("switchover", p, observed(p, cluster_json("0", true)), false);
  REQUIRE(paused.refusals.size() == 1);
  CHECK_THAT(paused.refusals[0], Catch::Contains("paused (maintenance mode)"));

  const auto behind = check_preconditions("switchover", p, observed(p, cluster_json("67108864")), false);
  REQUIRE_FALSE(behind.refusals.empty());
  CHECK_THAT(behind.refusals[0], Catch::Contains("db2") && Catch::Contains("64.0 MiB behind"));

  const auto unknown = check_preconditions("switchover", p, observed(p, cluster_json("\"unknown\"")), false);
  REQUIRE(unknown.refusals.size() == 1);
  CHECK_THAT(unknown.refusals[0], Catch::Contains("lag is unknown"));

  const auto stopped = check_preconditions("switchover", p, observed(p, cluster_json("0", false, "stopped")), false);
  REQUIRE_FALSE(stopped.refusals.empty());
  CHECK_THAT(stopped.refusals[0], Catch::Contains("db2 is stopped"));

  const auto promote = check_preconditions("promote", p, observed(p, cluster_json()), true);
  REQUIRE(promote.refusals.size() == 1);
  CHECK(promote.refusals[0] == std::string(kPatroniPromoteRefusal));
}

TEST_CASE("patroni backend: the switchover target is found through the configured URLs", "[failover][patroni]") {
  const auto p = parse(example_text());
  auto c = checks::patroni::parse_cluster(cluster_json());
  REQUIRE(c.ok());
  PatroniApi api = p.patroni;
  api.urls = {"http://db2:8008", "http://db1:8008/"};
  CHECK(patroni_url_of(api, c.value(), "db1") == "http://db1:8008/");
  api.urls = {};
  CHECK(patroni_url_of(api, c.value(), "db1") == "http://db1:8008");
  CHECK(patroni_url_of(api, c.value(), "db9").empty());
  CHECK(patroni_leader(c.value()) == "db1");
}
