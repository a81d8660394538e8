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
  const BridgeConfig config("    traffic_window: 14s\n    min_messages: 2\n    direction_timeout: 4s\n",
                            "port: " + stack_env().get("HSOPS_IRC_PORT"));
  BridgeSwitches drop("drop_irc_to_matrix=1");
  CliRun r;
  for (int i = 0; i < 4; ++i) r = config.run();  // 4 s each: the window then holds only dropped runs
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.summary().find("irc: remote -> Matrix silent: 0 messages while") != std::string::npos);
  CHECK(metric(r.check, "hsops_bridge_messages", "direction", "remote_to_matrix") == 0.0);
  CHECK(metric(r.check, "hsops_bridge_messages", "direction", "matrix_to_remote").value_or(0) >= 2);
}

TEST_CASE("bridge: passive view - IRC to Matrix far below min_ratio of Matrix to IRC is WARNING while the canary passes",
          "[bridge][traffic][ratio]") {
  // Both canary directions deliver, but real Matrix -> IRC traffic (8 messages from Matrix
  // users) meets a single IRC -> Matrix message (the canary's) in the window: 1/9 < 0.5.
  const BridgeConfig config("    traffic_window: 15s\n    min_messages: 5\n    min_ratio: 0.5\n",
                            "port: " + stack_env().get("HSOPS_IRC_PORT"));
  REQUIRE(canary_send(8, "matrix users talking") == 8);
  const auto r = config.run();
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.exit_code == 1);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "matrix_to_remote") == 1.0);
  CHECK(metric(r.check, "hsops_bridge_delivered", "direction", "remote_to_matrix") == 1.0);
  const double in = metric(r.check, "hsops_bridge_messages", "direction", "remote_to_matrix").value_or(-1);
  const double out = metric(r.check, "hsops_bridge_messages", "direction", "matrix_to_remote").value_or(-1);
  CHECK(in >= 1);
  CHECK(out >= 9);
  CHECK(r.summary().find("irc: remote -> Matrix nearly silent: ") != std::string::npos);
  std::cout << "bridge ratio: " << in << " remote -> Matrix vs " << out << " Matrix -> remote in 15 s: " << r.summary() << "\n";
}

TEST_CASE("bridge: the canary's IRC side over TLS (ngircd's TLS port, certificate verified against the stack CA)",
          "[bridge][tls]") {
  const auto& env = stack_env();
  const BridgeConfig tls("", "tls: true, port: " + env.get("HSOPS_IRC_TLS_PORT") + ", ca_file: " + env.get("HSOPS_IRC_CA_FILE"));
  const auto r = tls.run();
  INFO(r.raw);
  CHECK(r.exit_code == 0);
  for (const char* d : {"matrix_to_remote", "remote_to_matrix"}) {
    const auto latency = metric(r.check, "hsops_bridge_delivery_latency_seconds", "direction", d);
    REQUIRE(latency);
    CHECK(*latency < 5);
    std::cout << "bridge over IRC/TLS: " << d << " " << *latency << " s (run " << r.seconds << " s)\n";
  }

  // The same server without its CA: the system store does not trust it, and that is a
  // set-up failure, never a silent fallback to an unverified connection.
  const BridgeConfig untrusted("", "tls: true, port: " + env.get("HSOPS_IRC_TLS_PORT"));
  const auto u = untrusted.run();
  INFO(u.raw);
  CHECK(u.exit_code == 2);
  CHECK(u.summary().find("canary set-up failed: IRC: TLS handshake with 127.0.0.1:") != std::string::npos);
  CHECK(u.summary().find("certificate not trusted") != std::string::npos);

  // TLS spoken to the plain-text port fails the handshake within the deadline.
  const BridgeConfig wrong_port("", "tls: true, port: " + env.get("HSOPS_IRC_PORT") + ", ca_file: " + env.get("HSOPS_IRC_CA_FILE"));
  const auto w = wrong_port.run();
  INFO(w.raw);
  CHECK(w.exit_code == 2);
  CHECK(w.summary().find("TLS handshake") != std::string::npos);
  CHECK(w.seconds < 15);
}
