// `hsops check bridge` through the fixture bridge to the real ngircd: both directions, and
// one direction dropped inside the bridge, where Synapse sees nothing wrong.
#include <catch2/catch.hpp>

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
