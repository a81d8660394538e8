#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "failover/playbook.h"
#include "failover/step_types.h"

using namespace hsops;
using namespace hsops::failover;

namespace {

std::string example_text() {
  std::ifstream in(std::string(HSOPS_SOURCE_DIR) + "/playbooks/example.yaml");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Playbook parse(const std::string& text) {
  ::setenv("HSOPS_FAILOVER_PG_PASSWORD", "secret", 1);
  ::setenv("HSOPS_PROBE_PASSWORD", "secret", 1);
  return parse_playbook(config::Document::parse(text, "pb.yaml"));
}

// The example with `from` replaced by `to` (which must occur).
std::string edited(const std::string& from, const std::string& to) {
  std::string text = example_text();
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("failover playbook: the shipped example parses with defaults filled in", "[failover][playbook]") {
  const auto p = parse(example_text());
  CHECK(p.name == "hs1");
  CHECK(p.primary == "db1");
  CHECK(p.standby == "db2");
  CHECK(p.maximum_lag_on_failover == 1024 * 1024);
  CHECK(p.switchover_max_lag == 16 * 1024 * 1024);
  CHECK(p.databases.at("db1").stop.command.front() == "ssh");
  CHECK(p.databases.at("db1").target.password == std::optional<std::string>("secret"));
  CHECK(p.databases.at("db1").pg_bin.empty());
  CHECK(p.homeservers.at("hs2").start.deadline == std::chrono::seconds(120));
  REQUIRE(p.route.haproxy);
  CHECK(p.route.haproxy->servers.at("hs2") == "hs2");
  const auto& switchover = p.operations.at("switchover").steps;
  REQUIRE(switchover.size() == 12);
  CHECK(switchover[6].type == "pg.promote");
  CHECK(switchover[6].node_role == "standby");
  CHECK(switchover[6].budget == std::optional<Millis>(Millis(10000)));
  CHECK(switchover[10].command == std::vector<std::string>{"/usr/local/bin/notify-status-page", "failover"});
  // Not written in the example: the standard sequences.
  CHECK(p.operations.at("promote").steps.size() == default_steps("promote").size());
  CHECK(p.operations.at("drill").steps.size() == default_steps("drill").size());
}

TEST_CASE("failover playbook: problems are named with file line and column", "[failover][playbook]") {
  struct Row {
    std::string from, to, message;
  };
  const std::vector<Row> rows{
      {"{type: pg.checkpoint}", "{type: pg.checkpiont}", "operations.switchover[3].type"},
      {"{type: pg.checkpoint}", "{type: pg.checkpiont}", "unknown step type 'pg.checkpiont' (known: pg.check_replication"},
      {"      url: http://hs2.example.org:8008\n", "", "url: must be the homeserver's client URL"},
      {"  standby: db2\n", "  standby: db3\n", "'db3' is not one of the nodes (nodes: db1, db2)"},
      {"  spare: hs2\n", "  spare: hs1\n", "must name another node than `active`"},
      {"    - {type: pg.fence}\n", "", "pg.promote without a pg.fence before it"},
      {"    - {type: pg.checkpoint}", "    - {type: pg.checkpoint, node: spare}", "must be `primary` or `standby` for pg.checkpoint"},
      {"    - {type: confirm}", "    - {type: confirm, node: primary}", "confirm acts on no node"},
      {"    - {type: probe}", "    - {type: probe, retries: 3}", "retries"},
      {"    - {type: exec, command: [/usr/local/bin/notify-status-page, failover], deadline: 10s}",
       "    - {type: exec, deadline: 10s}", "command: is required"},
      {"    - {type: pg.promote, budget: 10s}", "    - {type: pg.promote, budget: 0s}", "budget"},
      {"operations:\n", "operations:\n  failback: []\n", "unknown operation 'failback'"},
      {"  haproxy:\n", "  exec: {to: {hs1: [a], hs2: [b]}}\n  haproxy:\n", "needs exactly one of `haproxy:` or `exec:`"},
      {"    servers: {hs1: hs1, hs2: hs2}", "    servers: {hs1: hs1}", "names no haproxy server for homeserver hs2"},
      {"      stop: {command: [ssh, db2.example.org, sudo, systemctl, stop, postgresql@15-main]}\n",
       "      stop: {systemd: x, command: [y]}\n", "needs exactly one of `systemd: UNIT` or `command: [argv]`"},
      {"  password_env: HSOPS_PROBE_PASSWORD\n", "", "password_file"},
      {"state_dir: /var/lib/hsops/failover", "state_dir: relative", "state_dir: must be an absolute path"},
      {"      data_dir: /var/lib/postgresql/15/main\n", "      data_dir: /var/lib/postgresql/15/main\n      pg_bin: bin\n",
       "pg_bin: must be an absolute directory"},
  };
  for (const auto& row : rows) {
    INFO(row.from << " -> " << row.to);
    CHECK_THROWS_WITH(parse(edited(row.from, row.to)), Catch::Contains(row.message));
  }
}

TEST_CASE("failover playbook: an error points at the line and column of the step", "[failover][playbook]") {
  const std::string text = example_text();
  const auto at = text.find("{type: pg.checkpoint}");
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  const int column = static_cast<int>(at - text.rfind('\n', at)) + 7;  // the value of `type:`
  CHECK_THROWS_WITH(parse(edited("{type: pg.checkpoint}", "{type: pg.checkpiont}")),
                    Catch::StartsWith("pb.yaml:" + std::to_string(line) + ":" + std::to_string(column) + ": "));
}

TEST_CASE("failover playbook: the standard drill goes there and back with a fence before each promotion", "[failover][playbook]") {
  const auto drill = default_steps("drill");
  int promotions = 0, fences = 0, back = 0;
  for (const auto& s : drill) {
    promotions += s.type == "pg.promote";
    fences += s.type == "pg.fence";
    back += s.params.count("half") != 0;
    CHECK(s.type != "confirm");  // drills run from timers
  }
  CHECK(promotions == 2);
  CHECK(fences == 2);
  CHECK(back == 13);
  CHECK(drill[12].type == "pg.reattach");
  CHECK(drill[1].type == "marker.write");
  CHECK(drill[11].type == "marker.check");
  // The node fenced on the way back follows again: the drill leaves a standby streaming.
  CHECK(drill.back().type == "pg.reattach");
  CHECK(drill.back().params.at("half") == "back");
}

TEST_CASE("failover plan lines say what each step does to which node", "[failover][playbook]") {
  const auto p = parse(example_text());
  const Roles roles{"db1", "db2", "hs1", "hs2"};
  const auto& steps = p.operations.at("switchover").steps;
  CHECK(describe_step(steps[4], p, roles) ==
        "pg.fence db1 (primary): read the last WAL position, then stop the server; if it cannot be stopped, make it "
        "read-only (default_transaction_read_only + reload) and end every session, and say so [stop: `ssh "
        "db1.example.org sudo systemctl stop postgresql@15-main`]; undo: start it again as it was (deadline 1 min 0 s)");
  CHECK(describe_step(steps[6], p, roles).rfind("pg.promote db2 (standby): pg_promote", 0) == 0);
  // The second half of a drill runs with the roles swapped.
  StepSpec back = steps[6];
  back.params["half"] = "back";
  CHECK(describe_step(back, p, roles).rfind("back: pg.promote db1 (standby)", 0) == 0);
}
