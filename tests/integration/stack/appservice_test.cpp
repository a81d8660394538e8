// `hsops check appservice` against the real Synapse of the test stack and the fixture bridge
// (appservice `irc`): healthy, hung (the outage), killed, answering the ping with 500.
#include <catch2/catch.hpp>

#include <iostream>

#include "bridge_support.h"

using namespace hsops::test;

namespace {
const char* kId = "irc";
}

TEST_CASE("appservice: healthy stack - ping OK with a duration / up / nothing pending", "[appservice]") {
  const auto r = run_check("appservice");
  INFO(r.raw);
  CHECK(r.exit_code == 0);
  CHECK(r.summary().rfind("irc: ping ", 0) == 0);
  CHECK(metric(r.check, "hsops_appservice_ping_success", "appservice", kId) == 1.0);
  CHECK(metric(r.check, "hsops_appservice_ping_duration_seconds", "appservice", kId).value_or(-1) >= 0);
  CHECK(metric(r.check, "hsops_appservice_up", "appservice", kId) == 1.0);
  CHECK(metric(r.check, "hsops_appservice_pending_transactions", "appservice", kId) == 0.0);
  CHECK(metric(r.check, "hsops_appservice_registration_problems") == 0.0);
}

TEST_CASE("appservice: hung bridge - ping hangs is CRITICAL in our deadline / Synapse marks it down and queues / "
          "un-hang recovers",
          "[appservice][hang]") {
  std::optional<BridgeSwitches> hang(std::in_place, "hang=1");
  auto r = run_check("appservice", "-t 4");
  INFO(r.raw);
  CHECK(r.exit_code == 2);
  CHECK(r.summary().find("irc: homeserver -> appservice call hangs") != std::string::npos);
  CHECK(r.seconds < 8);
  std::cout << "appservice hang: check answered CRITICAL after " << r.seconds << " s\n";

  // The canary's message gives Synapse a transaction to deliver; it hangs in the bridge. The
  // other direction (IRC -> Matrix does not go through the homeserver -> bridge call) works.
  const auto b = run_check("bridge");
  INFO(b.raw);
  CHECK(b.exit_code == 2);
  CHECK(metric(b.check, "hsops_bridge_delivered", "direction", "matrix_to_remote") == 0.0);
  CHECK(metric(b.check, "hsops_bridge_delivered", "direction", "remote_to_matrix") == 1.0);

  const auto t0 = std::chrono::steady_clock::now();
  CliRun last;
  const bool down = eventually(std::chrono::seconds(120), [&] {
    last = run_check("appservice", "-t 2");
    return metric(last.check, "hsops_appservice_up", "appservice", kId) == 0.0 &&
           metric(last.check, "hsops_appservice_pending_transactions", "appservice", kId).value_or(0) >= 1;
  });
  INFO(last.raw);
  REQUIRE(down);
  CHECK(last.summary().find("irc: Synapse marks it down") != std::string::npos);
  const double pending1 = metric(last.check, "hsops_appservice_pending_transactions", "appservice", kId).value_or(-1);
  const double age1 = metric(last.check, "hsops_appservice_oldest_pending_transaction_age_seconds", "appservice", kId).value_or(-1);
  std::cout << "appservice hang: Synapse marked it down with " << pending1 << " pending, oldest " << age1 << " s, after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";

  // Still hung, Matrix users keep talking: new events become another transaction that Synapse
  // stores and does not send to a down appservice, so the backlog grows and its oldest ages.
  // Seen on Synapse 1.160: the batch right after the first failure may still go out (the
  // down state is written in the background) and hang for Synapse's own 60 s; events queue in
  // memory behind it and reach the table only when it times out. Hence the 100 s bound.
  const auto t2 = std::chrono::steady_clock::now();
  REQUIRE(canary_send(3, "while the bridge hangs") == 3);
  CliRun later;
  const bool grew = eventually(std::chrono::seconds(100), [&] {
    later = run_check("appservice", "-t 2");
    return metric(later.check, "hsops_appservice_pending_transactions", "appservice", kId).value_or(0) > pending1;
  });
  INFO(later.raw);
  CHECK(grew);
  CHECK(later.exit_code == 2);
  CHECK(metric(later.check, "hsops_appservice_up", "appservice", kId) == 0.0);
  const double pending2 = metric(later.check, "hsops_appservice_pending_transactions", "appservice", kId).value_or(-1);
  const double age2 = metric(later.check, "hsops_appservice_oldest_pending_transaction_age_seconds", "appservice", kId).value_or(-1);
  CHECK(age2 > age1);
  std::cout << "appservice hang: pending " << pending1 << " -> " << pending2 << ", oldest " << age1 << " s -> " << age2 << " s, "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count() << " s after 3 more Matrix messages\n";

  hang.reset();  // un-hang: the next successful ping makes Synapse retry at once
  const auto t1 = std::chrono::steady_clock::now();
  const bool recovered = eventually(std::chrono::seconds(60), [&] {
    last = run_check("appservice");
    return last.exit_code == 0 && metric(last.check, "hsops_appservice_pending_transactions", "appservice", kId) == 0.0;
  });
  INFO(last.raw);
  CHECK(recovered);
  std::cout << "appservice hang: recovered (up, none pending) " << std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count()
            << " s after un-hang\n";
  CHECK(run_check("bridge").exit_code == 0);
}

TEST_CASE("appservice: bridge process killed - ping reports M_CONNECTION_FAILED at once", "[appservice][killed]") {
  CliRun r;
  {
    KilledBridge killed;
    r = run_check("appservice");
  }
  INFO(r.raw);
  CHECK(r.exit_code == 2);
  CHECK(r.summary().find("M_CONNECTION_FAILED") != std::string::npos);
  CHECK(r.seconds < 5);
  CHECK(eventually(std::chrono::seconds(20), [] { return run_check("appservice").exit_code == 0; }));
}

TEST_CASE("appservice: bridge answers the ping with HTTP 500 - the check names that, not a connection failure",
          "[appservice][ping_500]") {
  CliRun r;
  {
    BridgeSwitches broken("ping_500=1");
    r = run_check("appservice");
  }
  INFO(r.raw);
  CHECK(r.exit_code == 2);
  // Synapse says 502 M_CONNECTION_FAILED "... PartialDownloadError: 500"; the appservice did answer.
  CHECK(r.summary().find("irc: ping M_BAD_STATUS (appservice answered HTTP 500)") != std::string::npos);
  CHECK(r.summary().find("CONNECTION_FAILED") == std::string::npos);
  CHECK(eventually(std::chrono::seconds(20), [] { return run_check("appservice").exit_code == 0; }));
}
