// The watchdog's Matrix notifier against the stack's real Synapse: an m.notice with an HTML
// body in a room, read back with /messages; a retried page (same txnId) is not posted twice;
// a refused token is an error naming the room, never the token.
#include <catch2/catch.hpp>

#include "alerting/notifiers/matrix_room.h"
#include "core/clock.h"
#include "matrix/client.h"
#include "support/sample_page.h"
#include "support/stack_env.h"

using namespace hsops;
using namespace hsops::alerting;
using hsops::test::stack_env;

namespace {

MatrixRoomOptions room_options(const std::string& room_id, const std::string& token) {
  MatrixRoomOptions o;
  o.client.base_url = stack_env().get("HSOPS_SYNAPSE_URL");
  o.client.deadlines = {std::chrono::milliseconds(3000), std::chrono::milliseconds(10000)};
  o.access_token = token;
  o.room_id = room_id;
  return o;
}

}  // namespace

TEST_CASE("matrix notifier: pages are m.notice with HTML in the room, a retry is not posted twice") {
  const SystemClock clock;
  const std::string token = stack_env().secret("HSOPS_ADMIN_TOKEN_FILE");
  matrix::ClientOptions co;
  co.base_url = stack_env().get("HSOPS_SYNAPSE_URL");
  matrix::Client admin(co, clock, clock.monotonic() + std::chrono::seconds(30));
  admin.set_access_token(token);
  const auto room = admin.call("POST", "/_matrix/client/v3/createRoom", {{"preset", "private_chat"}, {"name", "hsops ops"}});
  REQUIRE(room.ok());
  const std::string room_id = (*room)["room_id"];

  const auto firing = test::replication_page(Event::firing, "standby db2 <not connected> & lag unknown");
  const auto first = send_matrix_notice(firing, room_options(room_id, token), clock);
  REQUIRE(first.ok());
  const auto retried = send_matrix_notice(firing, room_options(room_id, token), clock);
  REQUIRE(retried.ok());
  CHECK(*retried == *first);  // Synapse deduplicated the txnId
  auto resolved = firing;
  resolved.event = Event::resolved;
  const auto second = send_matrix_notice(resolved, room_options(room_id, token), clock);
  REQUIRE(second.ok());
  CHECK(*second != *first);

  const auto messages = admin.call("GET", "/_matrix/client/v3/rooms/" + matrix::url_encode(room_id) +
                                              "/messages?dir=b&limit=20");
  REQUIRE(messages.ok());
  std::vector<nlohmann::json> notices;
  for (const auto& e : (*messages)["chunk"]) {
    if (e.value("type", "") == "m.room.message") notices.push_back(e["content"]);
  }
  REQUIRE(notices.size() == 2);  // newest first: the resolution, then the one firing page
  CHECK(notices[1]["msgtype"] == "m.notice");
  CHECK(notices[1]["body"].get<std::string>().rfind("CRITICAL replication: standby db2 <not connected> & lag unknown", 0) == 0);
  CHECK(notices[1]["format"] == "org.matrix.custom.html");
  CHECK(notices[1]["formatted_body"].get<std::string>().find("<b>CRITICAL</b>") != std::string::npos);
  CHECK(notices[1]["formatted_body"].get<std::string>().find("&lt;not connected&gt; &amp; lag") != std::string::npos);
  CHECK(notices[1][matrix_alert_field]["id"] == firing.alert.id);  // what an ack by reply reads
  CHECK(notices[1][matrix_alert_field]["event"] == "firing");
  CHECK(notices[0]["body"].get<std::string>().rfind("RESOLVED replication:", 0) == 0);

  const auto refused = send_matrix_notice(firing, room_options(room_id, "not-a-valid-token"), clock);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().errcode == "M_UNKNOWN_TOKEN");
  CHECK(refused.error().message.find(room_id) != std::string::npos);
  CHECK(refused.error().message.find("not-a-valid-token") == std::string::npos);
}
