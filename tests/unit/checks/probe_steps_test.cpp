// Spotting the probe's own event in a /sync answer (shapes as Synapse sends them).
#include <catch2/catch.hpp>

#include "checks/probe/steps.h"

using namespace hsops::checks::probe;
using nlohmann::json;

namespace {
const std::string kRoom = "!r:hsops.test";
json sync_with(json events, bool limited) {
  return {{"next_batch", "s2"},
          {"rooms", {{"join", {{kRoom, {{"timeline", {{"events", std::move(events)}, {"limited", limited}, {"prev_batch", "p"}}}}}}}}}};
}
}  // namespace

TEST_CASE("probe echo: found by event_id or by unsigned.transaction_id", "[probe][echo]") {
  CHECK(find_echo(sync_with(json::array({{{"event_id", "$other"}}, {{"event_id", "$ours"}}}), false), kRoom, "$ours", "t1") == Echo::seen);
  CHECK(find_echo(sync_with(json::array({{{"event_id", "$x"}, {"unsigned", {{"transaction_id", "t1"}}}}}), false), kRoom, "$ours",
                  "t1") == Echo::seen);
}

TEST_CASE("probe echo: not yet when the room or the event is absent", "[probe][echo]") {
  CHECK(find_echo(json{{"next_batch", "s"}}, kRoom, "$ours", "t1") == Echo::not_yet);
  CHECK(find_echo(json{{"rooms", {{"join", json::object()}}}}, kRoom, "$ours", "t1") == Echo::not_yet);
  CHECK(find_echo(sync_with(json::array({{{"event_id", "$other"}}}), false), kRoom, "$ours", "t1") == Echo::not_yet);
  CHECK(find_echo(sync_with(json::array({"junk", 1}), false), kRoom, "$ours", "t1") == Echo::not_yet);
}

TEST_CASE("probe echo: a limited timeline without the event is a gap (ask for the event)", "[probe][echo]") {
  CHECK(find_echo(sync_with(json::array({{{"event_id", "$other"}}}), true), kRoom, "$ours", "t1") == Echo::gap);
  CHECK(find_echo(sync_with(json::array({{{"event_id", "$ours"}}}), true), kRoom, "$ours", "t1") == Echo::seen);
}
