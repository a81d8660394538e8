#include "checks/probe/steps.h"

#include <algorithm>

#include "matrix/well_known.h"

namespace hsops::checks::probe {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kV3 = "/_matrix/client/v3";
// Longest single /sync long-poll; the run's deadline shortens it.
constexpr milliseconds kMaxPoll{30000};
// Time left for the HTTP round trip around a long-poll.
constexpr milliseconds kPollMargin{1000};

std::string sync_filter(const std::string& room_id) {
  const json filter{{"presence", {{"types", json::array()}}},
                    {"account_data", {{"types", json::array()}}},
                    {"room", {{"rooms", {room_id}},
                              {"timeline", {{"limit", 20}}},
                              {"state", {{"types", json::array()}}},
                              {"ephemeral", {{"types", json::array()}}},
                              {"account_data", {{"types", json::array()}}}}}};
  return matrix::url_encode(filter.dump());
}

std::string sync_path(const std::string& room_id, const std::string& since, milliseconds timeout) {
  std::string p = std::string(kV3) + "/sync?set_presence=offline&filter=" + sync_filter(room_id) +
                  "&timeout=" + std::to_string(timeout.count());
  if (!since.empty()) p += "&since=" + matrix::url_encode(since);
  return p;
}

bool is_ours(const json& event, const std::string& event_id, const std::string& txn_id) {
  if (!event.is_object()) return false;
  const auto id = event.find("event_id");
  if (id != event.end() && id->is_string() && id->get<std::string>() == event_id) return true;
  const auto u = event.find("unsigned");
  if (u == event.end() || !u->is_object()) return false;
  const auto txn = u->find("transaction_id");
  return txn != u->end() && txn->is_string() && txn->get<std::string>() == txn_id;
}

}  // namespace

Result<std::string> discover(matrix::Client& client, const Options& options) {
  std::string note = "client API at " + options.homeserver_url + " (configured)";
  if (!options.discovery_url.empty()) {
    std::string base = options.discovery_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    auto wk = client.fetch(base + "/.well-known/matrix/client", /*follow_redirects=*/true);
    if (!wk) return Error{wk.error().kind, "/.well-known/matrix/client: " + wk.error().message};
    auto parsed = matrix::parse_client_well_known(wk.value().status, wk.value().body);
    if (!parsed) return parsed.error();
    if (parsed.value()) {
      client.set_base_url(*parsed.value());
      note = "client API at " + client.base_url() + " (from " + base + "/.well-known/matrix/client)";
    } else {
      note = "client API at " + options.homeserver_url + " (no .well-known at " + base + ": 404)";
    }
  }
  auto versions = client.call("GET", "/_matrix/client/versions");
  if (!versions) return versions.error();
  const auto v = versions.value().find("versions");
  if (v == versions.value().end() || !v->is_array() || v->empty()) {
    return Error{ErrorKind::versions, "/_matrix/client/versions has no versions list: not a Matrix client API?"};
  }
  return note + ", spec versions up to " + (v->back().is_string() ? v->back().get<std::string>() : "?");
}

Result<bool> login(matrix::Client& client, const Options& options) {
  if (options.access_token) {
    client.set_access_token(*options.access_token);
  } else {
    auto flows = client.call("GET", std::string(kV3) + "/login");
    if (!flows) {
      if (flows.error().errcode == "M_UNRECOGNIZED" || flows.error().message.find("HTTP 404") != std::string::npos) {
        return Error{ErrorKind::oauth_only, "the server offers no password login (GET /login: 404; OAuth 2.0-only, e.g. behind MAS): "
                                   "configure access_token_file for the probe"};
      }
      return flows.error();
    }
    const json body{{"type", "m.login.password"},
                    {"identifier", {{"type", "m.id.user"}, {"user", options.user_id}}},
                    {"password", *options.password},
                    {"device_id", options.device_id},
                    {"initial_device_display_name", "hsops probe"}};
    auto answer = client.call("POST", std::string(kV3) + "/login", body);
    if (!answer) return answer.error();
    const auto token = answer.value().find("access_token");
    if (token == answer.value().end() || !token->is_string()) return Error{ErrorKind::parse, "POST /login: no access_token in the answer"};
    client.set_access_token(token->get<std::string>());
  }
  auto who = client.call("GET", std::string(kV3) + "/account/whoami");
  if (!who) return who.error();
  const std::string user = who.value().value("user_id", "");
  if (user != options.user_id) {
    return Error{ErrorKind::wrong_user, "whoami says the token belongs to '" + user + "', not the configured " + options.user_id};
  }
  return true;
}

Result<bool> logout(matrix::Client& client) {
  auto answer = client.call("POST", std::string(kV3) + "/logout", json::object());
  if (!answer) return answer.error();
  client.set_access_token("");
  return true;
}

Result<std::string> create_room(matrix::Client& client) {
  const json body{{"preset", "private_chat"},
                  {"name", "hsops probe"},
                  {"topic", "Messages from hsops check probe; safe to ignore."},
                  {"creation_content", {{"m.federate", false}}}};
  auto answer = client.call("POST", std::string(kV3) + "/createRoom", body);
  if (!answer) return answer.error();
  const std::string id = answer.value().value("room_id", "");
  if (id.empty()) return Error{ErrorKind::parse, "POST /createRoom: no room_id in the answer"};
  return id;
}

Result<std::string> sync_position(matrix::Client& client, const std::string& room_id) {
  auto answer = client.call("GET", sync_path(room_id, "", milliseconds(0)));
  if (!answer) return answer.error();
  const std::string next = answer.value().value("next_batch", "");
  if (next.empty()) return Error{ErrorKind::parse, "GET /sync: no next_batch in the answer"};
  return next;
}

Result<std::string> send_notice(matrix::Client& client, const std::string& room_id, const std::string& txn_id) {
  const json content{{"msgtype", "m.notice"}, {"body", "hsops probe " + txn_id}};
  auto answer = client.call("PUT", std::string(kV3) + "/rooms/" + matrix::url_encode(room_id) +
                                       "/send/m.room.message/" + matrix::url_encode(txn_id), content);
  if (!answer) return answer.error();
  const std::string id = answer.value().value("event_id", "");
  if (id.empty()) return Error{ErrorKind::parse, "PUT /send: no event_id in the answer"};
  return id;
}

Echo find_echo(const json& sync, const std::string& room_id, const std::string& event_id, const std::string& txn_id) {
  // rooms.join[room_id].timeline, any level possibly absent (nothing new in our room).
  const json joined = sync.value(json::json_pointer("/rooms/join"), json::object());
  if (!joined.is_object() || !joined.contains(room_id) || !joined[room_id].is_object()) return Echo::not_yet;
  const json timeline = joined[room_id].value("timeline", json::object());
  if (!timeline.is_object()) return Echo::not_yet;
  const json events = timeline.value("events", json::array());
  if (events.is_array() && std::any_of(events.begin(), events.end(), [&](const json& e) { return is_ours(e, event_id, txn_id); })) {
    return Echo::seen;
  }
  return timeline.value("limited", false) ? Echo::gap : Echo::not_yet;
}

Result<bool> wait_for_echo(matrix::Client& client, const std::string& room_id, std::string since,
                           const std::string& event_id, const std::string& txn_id) {
  for (;;) {
    const milliseconds poll = std::min(kMaxPoll, client.remaining() - kPollMargin);
    if (poll.count() <= 0) return Error{ErrorKind::timeout, "the sent event " + event_id + " did not come back in /sync before the deadline"};
    auto answer = client.call("GET", sync_path(room_id, since, poll), nullptr, poll);
    if (!answer) return answer.error();
    const json& doc = answer.value();
    since = doc.value("next_batch", since);
    const Echo echo = find_echo(doc, room_id, event_id, txn_id);
    if (echo == Echo::seen) return true;
    if (echo == Echo::gap) {
      // The gap may have swallowed our event: ask for it directly.
      auto direct = client.call("GET", std::string(kV3) + "/rooms/" + matrix::url_encode(room_id) + "/event/" +
                                           matrix::url_encode(event_id));
      if (direct) return true;
    }
  }
}

}  // namespace hsops::checks::probe
