// `hsops check bridge` through the fixture bridge to the real ngircd: both directions, and
// one direction dropped inside the bridge, where Synapse sees nothing wrong.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <fstream>
#include <iostream>

#include "bridge_support.h"

using namespace hsops::test;

TEST_CASE("bridge: healthy - both canary directions deliver with a latency", "[bridge]") {
  const auto r = run_check("bridge");
  INFO(r.raw);
  CHECK(r.exit_code == 0);
  for (const char* d : {"matrix_to_remote", "remote_to_matrix"}) {
    CHECK(metric(r.check, "hsops_bridge_delivered", "direction", d) == 1.0);
    const auto latency = metric(r.check, "hsops_bridge_delivery_latency_seconds", "direction", d);
    REQUIRE(latency);
    CHECK(*latency < 5);
    std::cout << "bridge healthy: " << d << " " << *latency << " s\n";
  }
}

TEST_CASE("bridge: Matrix to IRC dropped inside the bridge - only that direction is CRITICAL / appservice stays OK",
          "[bridge][drop]") {
  BridgeSwitches drop("drop_matrix_to_irc=1");
  const auto r = run_check("bridge");
  INFO(r.raw);
  CHECK(r.exit_code == 2);
  CHECK(r.summary().find("irc: Matrix -> remote not delivered") == 0);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "matrix_to_remote") == 0.0);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "remote_to_matrix") == 1.0);
  CHECK(run_check("appservice").exit_code == 0);  // Synapse delivered: it sees nothing wrong
}

TEST_CASE("bridge: IRC to Matrix dropped inside the bridge - only that direction is CRITICAL", "[bridge][drop]") {
  BridgeSwitches drop("drop_irc_to_matrix=1");
  const auto r = run_check("bridge");
  INFO(r.raw);
  CHECK(r.exit_code == 2);
  CHECK(r.summary().find("irc: remote -> Matrix not delivered") == 0);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "matrix_to_remote") == 1.0);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "remote_to_matrix") == 0.0);
}

TEST_CASE("bridge: passive view from the database sees IRC to Matrix go silent while Matrix to IRC flows",
          "[bridge][traffic]") {
  const auto& env = stack_env();
  const std::string dir = "/tmp/hsops-bridge-it-" + std::to_string(::getpid());
  shell("mkdir -p " + dir);
  const std::string config = dir + "/hsops.yaml";
  std::ofstream(config) << "state_dir: " << dir << "\nchecks:\n  bridge:\n    homeserver_url: " << env.get("HSOPS_SYNAPSE_URL")
                        << "\n    traffic_window: 14s\n    min_messages: 2\n    direction_timeout: 4s\n"
                        << "    database:\n      conninfo: \"host=127.0.0.1 port=" << env.get("HSOPS_PG_PRIMARY_PORT")
                        << " user=synapse dbname=synapse\"\n      password_file: " << env.get("HSOPS_STACK_DIR")
                        << "/secrets/pg-synapse.password\n    bridges:\n      - name: irc\n        room_id: '"
                        << env.get("HSOPS_PORTAL_ROOM_ID") << "'\n        user: '" << env.get("HSOPS_CANARY_USER")
                        << "'\n        password_file: " << env.get("HSOPS_CANARY_PASSWORD_FILE")
                        << "\n        user_regex: '^@_irc_.*'\n        remote: {type: irc, host: 127.0.0.1, port: "
                        << env.get("HSOPS_IRC_PORT") << ", channel: '#bridge', nick: hsops-canary}\n";
  const auto run = [&] {
    CliRun r;
    r.raw = shell("timeout 60 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check bridge --format json --config " + config + " 2>&1");
    const auto doc = json::parse(r.raw, nullptr, false);
    if (doc.is_object()) r.check = doc["checks"][0];
    return r;
  };
  BridgeSwitches drop("drop_irc_to_matrix=1");
  CliRun r;
  for (int i = 0; i < 4; ++i) r = run();  // 4 s each: the window then holds only dropped runs
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.summary().find("irc: remote -> Matrix silent: 0 messages while") != std::string::npos);
  CHECK(metric(r.check, "hsops_bridge_messages", "direction", "remote_to_matrix") == 0.0);
  CHECK(metric(r.check, "hsops_bridge_messages", "direction", "matrix_to_remote").value_or(0) >= 2);
  shell("rm -rf " + dir);
}
