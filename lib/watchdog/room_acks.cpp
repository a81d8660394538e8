#include "watchdog/room_acks.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/units.h"
#include "matrix/client.h"

namespace hsops::watchdog {
namespace {

using std::chrono::milliseconds;

const nlohmann::json* member(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* at = &j;
  for (const char* key : path) {
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
  }
  return at;
}

std::string string_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const auto* v = member(j, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::string trimmed_lower(std::string text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  text = text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!text.empty() && (text.back() == '.' || text.back() == '!')) text.pop_back();
  return text;
}

// The text a person typed: older clients put the replied-to message first as "> " lines and a
// blank line (the reply fallback, dropped from the spec in v1.13 but still sent by some).
std::string typed_line(const std::string& body) {
  std::istringstream in(body);
  std::string line;
  bool in_fallback = false;
  while (std::getline(in, line)) {
    if (line.rfind(">", 0) == 0) {
      in_fallback = true;
      continue;
    }
    if (in_fallback && trimmed_lower(line).empty()) {
      in_fallback = false;
      continue;
    }
    if (!trimmed_lower(line).empty()) return line;
  }
  return "";
}

// 👍 with or without a variation selector or skin tone.
bool thumbs_up(const std::string& key) { return key.rfind("\xF0\x9F\x91\x8D", 0) == 0; }

struct SyncStep {
  std::string next_batch;
  std::vector<AckRequest> requests;
};

std::string sync_filter(const std::string& room_id) {
  const nlohmann::json none{{"types", nlohmann::json::array()}};
  const nlohmann::json filter{
      {"presence", none},
      {"account_data", none},
      {"room",
       {{"rooms", {room_id}},
        {"timeline", {{"types", {"m.room.message", "m.reaction"}}, {"limit", 50}}},
        {"state", none},
        {"ephemeral", none},
        {"account_data", none}}}};
  return matrix::url_encode(filter.dump());
}

}  // namespace

std::optional<std::optional<std::chrono::seconds>> parse_ack_text(const std::string& body) {
  std::istringstream words(trimmed_lower(typed_line(body)));
  std::vector<std::string> w;
  for (std::string word; words >> word;) w.push_back(word);
  if (w.empty() || w[0] != "ack") return std::nullopt;
  if (w.size() == 1) return std::optional<std::chrono::seconds>{};
  std::size_t at = (w.size() == 3 && w[1] == "for") ? 2 : 1;
  if (at + 1 != w.size()) return std::nullopt;
  const auto d = parse_duration(w[at]);
  if (!d || d->count() <= 0) return std::nullopt;
  return std::optional<std::chrono::seconds>{std::chrono::duration_cast<std::chrono::seconds>(*d)};
}

std::vector<AckRequest> ack_requests_in(const nlohmann::json& sync, const std::string& room_id) {
  std::vector<AckRequest> out;
  const auto* join = member(sync, {"rooms", "join"});
  if (join == nullptr || !join->is_object() || !join->contains(room_id)) return out;
  const auto* events = member((*join)[room_id], {"timeline", "events"});
  if (events == nullptr || !events->is_array()) return out;
  for (const auto& e : *events) {
    if (member(e, {"unsigned", "redacted_because"}) != nullptr) continue;
    const std::string type = string_at(e, {"type"});
    AckRequest r{string_at(e, {"event_id"}), string_at(e, {"sender"}), {}, {}, {}};
    if (type == "m.room.message") {
      const auto* body = member(e, {"content", "body"});
      if (body == nullptr || !body->is_string()) continue;
      const auto ack = parse_ack_text(body->get<std::string>());
      if (!ack) continue;
      r.target_event = string_at(e, {"content", "m.relates_to", "m.in_reply_to", "event_id"});
      r.duration = *ack;
      r.how = "reply";
    } else if (type == "m.reaction") {
      if (string_at(e, {"content", "m.relates_to", "rel_type"}) != "m.annotation") continue;
      if (!thumbs_up(string_at(e, {"content", "m.relates_to", "key"}))) continue;
      r.target_event = string_at(e, {"content", "m.relates_to", "event_id"});
      r.how = "reaction";
    } else {
      continue;
    }
    if (!r.target_event.empty() && !r.sender.empty()) out.push_back(std::move(r));
  }
  return out;
}

struct RoomAckReader::State {
  RoomAckOptions options;
  const Clock* clock;
  AckFn ack;
  LogFn log;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopped = false;
  std::string own_user;

  matrix::Client client(milliseconds budget) const {
    matrix::Client c(options.room.client, *clock, clock->monotonic() + budget);
    c.set_access_token(options.room.access_token);
    return c;
  }
  // Waits unless stopped meanwhile; false once stopped.
  bool pause(milliseconds d) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, d, [&] { return stopped; });
    return !stopped;
  }
  bool running() {
    std::lock_guard lock(mutex);
    return !stopped;
  }
  void say(const std::string& line) {
    std::lock_guard lock(mutex);
    if (!stopped) log(line);
  }
};

namespace {

Result<SyncStep> sync_once(RoomAckReader::State& s, const std::string& since) {
  const auto poll = since.empty() ? milliseconds(0) : s.options.poll;
  auto client = s.client(poll + s.options.room.deadline);
  std::string path = "/_matrix/client/v3/sync?filter=" + sync_filter(s.options.room.room_id) +
                     "&timeout=" + std::to_string(poll.count());
  if (!since.empty()) path += "&since=" + matrix::url_encode(since);
  auto answer = client.call("GET", path, nullptr, poll);
  if (!answer) return answer.error();
  SyncStep step{string_at(*answer, {"next_batch"}), {}};
  if (step.next_batch.empty()) return Error{ErrorKind::json, "the /sync answer has no next_batch"};
  if (!since.empty()) step.requests = ack_requests_in(*answer, s.options.room.room_id);
  return step;
}

// The alert a notice is about, if the notice is one of ours.
Result<std::string> alert_of_notice(RoomAckReader::State& s, const std::string& event_id) {
  auto client = s.client(s.options.room.deadline);
  auto event = client.call("GET", "/_matrix/client/v3/rooms/" + matrix::url_encode(s.options.room.room_id) +
                                      "/event/" + matrix::url_encode(event_id));
  if (!event) return event.error();
  const std::string id = string_at(*event, {"content", alerting::matrix_alert_field, "id"});
  if (string_at(*event, {"sender"}) != s.own_user || id.empty()) {
    return Error{ErrorKind::not_found, "the message answered is not an alert page of this watchdog"};
  }
  return id;
}

void act_on(RoomAckReader::State& s, const AckRequest& r) {
  const auto& responders = s.options.responders;
  if (r.sender == s.own_user) return;
  if (std::find(responders.begin(), responders.end(), r.sender) == responders.end()) {
    s.say("ignored an ack " + r.how + " from " + r.sender + " in " + s.options.room.room_id +
          ": not a responder (watchdog.responders)");
    return;
  }
  auto alert = alert_of_notice(s, r.target_event);
  if (!alert) {
    if (alert.error().kind != ErrorKind::not_found) s.say("ack " + r.how + " from " + r.sender + ": " + alert.error().message);
    return;
  }
  std::lock_guard lock(s.mutex);
  if (s.stopped) return;
  auto acked = s.ack(*alert, r.sender, r.duration, "ack " + r.how + " in the Matrix room");
  if (!acked) s.log("ack " + r.how + " from " + r.sender + " for alert " + *alert + ": " + acked.error().message);
}

}  // namespace

RoomAckReader::RoomAckReader(RoomAckOptions options, const Clock& clock, AckFn ack, LogFn log)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  state_->clock = &clock;
  state_->ack = std::move(ack);
  state_->log = std::move(log);
}

RoomAckReader::~RoomAckReader() { stop(); }

void RoomAckReader::start() {
  std::thread([s = state_] { follow(s); }).detach();
}

void RoomAckReader::stop() {
  std::lock_guard lock(state_->mutex);
  state_->stopped = true;
  state_->wake.notify_all();
}

void RoomAckReader::follow(const std::shared_ptr<State>& s) {
  const auto& room = s->options.room.room_id;
  std::string since;
  std::string last_error;
  while (s->running()) {
    auto step = [&]() -> Result<SyncStep> {
      if (s->own_user.empty()) {
        auto client = s->client(s->options.room.deadline);
        auto me = client.call("GET", "/_matrix/client/v3/account/whoami");
        if (!me) return me.error();
        s->own_user = string_at(*me, {"user_id"});
      }
      return sync_once(*s, since);
    }();
    if (!step) {
      // One line per distinct failure: a homeserver down for an hour must not flood the journal.
      const std::string why = "cannot follow " + room + " for acks: " + step.error().message;
      if (why != last_error) s->say(why + " (retrying every " + std::to_string(s->options.retry_after_error.count() / 1000) + " s)");
      last_error = why;
      if (!s->pause(s->options.retry_after_error)) return;
      continue;
    }
    if (!last_error.empty()) s->say("following " + room + " for acks again");
    last_error.clear();
    since = step->next_batch;
    for (const auto& r : step->requests) {
      if (!s->running()) return;
      act_on(*s, r);
    }
  }
}

}  // namespace hsops::watchdog
