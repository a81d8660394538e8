// Acks in the ops room: which replies and reactions count, and what the fallback quoting of
// older clients does to them. The reader itself runs against Synapse in stack/watchdog.
#include <catch2/catch.hpp>

#include "watchdog/room_acks.h"

using hsops::watchdog::ack_requests_in;
using hsops::watchdog::parse_ack_text;
using namespace std::chrono_literals;

TEST_CASE("room acks: what text is an ack") {
  REQUIRE(parse_ack_text("ack"));
  CHECK_FALSE(parse_ack_text("ack")->has_value());  // an ack, until resolved
  REQUIRE(parse_ack_text("  Ack! "));
  CHECK_FALSE(parse_ack_text("  Ack! ")->has_value());
  CHECK(parse_ack_text("ack 2h") == std::optional<std::optional<std::chrono::seconds>>(7200s));
  CHECK(parse_ack_text("ACK for 30m") == std::optional<std::optional<std::chrono::seconds>>(1800s));
  // Older clients quote the notice first; the typed line is what counts.
  REQUIRE(parse_ack_text("> <@hsops:hs> CRITICAL wal: slot lag 3 GiB\n\nack"));
  CHECK(parse_ack_text("> <@hsops:hs> CRITICAL wal\n> second line\n\nack 1h") ==
        std::optional<std::optional<std::chrono::seconds>>(3600s));

  CHECK_FALSE(parse_ack_text(""));
  CHECK_FALSE(parse_ack_text("acknowledged, looking"));
  CHECK_FALSE(parse_ack_text("ack later maybe"));
  CHECK_FALSE(parse_ack_text("ack 0s"));
  CHECK_FALSE(parse_ack_text("ack forever"));
  CHECK_FALSE(parse_ack_text("> ack\n\nwho is on call?"));  // quoting an ack is not one
}

namespace {

nlohmann::json sync_with(const std::string& room, nlohmann::json events) {
  return {{"next_batch", "s2"}, {"rooms", {{"join", {{room, {{"timeline", {{"events", std::move(events)}}}}}}}}}};
}

nlohmann::json reply(const std::string& id, const std::string& sender, const std::string& body, const std::string& to) {
  return {{"type", "m.room.message"}, {"event_id", id}, {"sender", sender},
          {"content", {{"msgtype", "m.text"}, {"body", body}, {"m.relates_to", {{"m.in_reply_to", {{"event_id", to}}}}}}}};
}

nlohmann::json reaction(const std::string& id, const std::string& sender, const std::string& key, const std::string& to) {
  return {{"type", "m.reaction"}, {"event_id", id}, {"sender", sender},
          {"content", {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", to}, {"key", key}}}}}};
}

}  // namespace

TEST_CASE("room acks: replies and thumbs-up reactions to a notice, in order") {
  const std::string room = "!ops:hs";
  auto plain = reply("$1", "@alice:hs", "ack 2h", "$page");
  plain["content"].erase("m.relates_to");  // "ack" said into the room, answering nothing
  auto redacted = reaction("$6", "@bob:hs", "\xF0\x9F\x91\x8D", "$page");
  redacted["unsigned"] = {{"redacted_because", {{"type", "m.room.redaction"}}}};
  const auto sync = sync_with(room, {plain,
                                     reply("$2", "@alice:hs", "ack 2h", "$page"),
                                     reply("$3", "@alice:hs", "thanks", "$page"),
                                     reaction("$4", "@bob:hs", "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "$page"),  // skin tone
                                     reaction("$5", "@bob:hs", "\xF0\x9F\x91\x80", "$page"),               // eyes
                                     redacted});
  const auto requests = ack_requests_in(sync, room);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].event_id == "$2");
  CHECK(requests[0].sender == "@alice:hs");
  CHECK(requests[0].target_event == "$page");
  CHECK(requests[0].duration == 7200s);
  CHECK(requests[0].how == "reply");
  CHECK(requests[1].event_id == "$4");
  CHECK(requests[1].how == "reaction");
  CHECK_FALSE(requests[1].duration);

  CHECK(ack_requests_in(sync, "!other:hs").empty());
  CHECK(ack_requests_in(nlohmann::json{{"next_batch", "s3"}}, room).empty());  // nothing new
  CHECK(ack_requests_in(sync_with(room, "not a list"), room).empty());
}
