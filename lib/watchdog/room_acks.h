// Acks from the ops room: a responder replies "ack" (or "ack 2h") to an alert's notice, or
// reacts to it with 👍. The watchdog follows the room with /sync; the notice itself names its
// alert (matrix_alert_field), so an ack works whatever the client quotes, and after restarts.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerting/notifiers/matrix_room.h"
#include "core/clock.h"
#include "core/result.h"

namespace hsops::watchdog {

// An event in the room that asks to ack whatever `target_event` is about.
struct AckRequest {
  std::string event_id;      // the reply or reaction
  std::string sender;        // "@alice:example.org"
  std::string target_event;  // the notice replied or reacted to
  std::optional<std::chrono::seconds> duration;  // "ack 2h"
  std::string how;           // "reply" or "reaction", for the log
};

// The ack requests in one /sync answer's timeline for `room_id`, in order. Not filtered by
// sender: the reader checks responders, and logs who was refused.
std::vector<AckRequest> ack_requests_in(const nlohmann::json& sync, const std::string& room_id);

// "ack", "Ack 2h", "ack for 30m" (after any reply fallback) -> the duration, or none for a plain
// ack; nullopt (outer) when the text is not an ack.
std::optional<std::optional<std::chrono::seconds>> parse_ack_text(const std::string& body);

struct RoomAckOptions {
  alerting::MatrixRoomOptions room;   // the notifier's homeserver, token and room
  std::vector<std::string> responders;
  std::chrono::milliseconds poll{25'000};  // the /sync long-poll
  std::chrono::milliseconds retry_after_error{10'000};
};

// Called for each accepted ack; the result goes to the log.
using AckFn = std::function<Result<nlohmann::json>(const std::string& alert_id, const std::string& who,
                                                   std::optional<std::chrono::seconds> duration,
                                                   const std::string& comment)>;
using LogFn = std::function<void(const std::string&)>;

// Follows the room on its own thread. Starts from "now": what was said before it started is
// not acted on (an ack replayed from history could ack a newer alert's page).
class RoomAckReader {
 public:
  RoomAckReader(RoomAckOptions options, const Clock& clock, AckFn ack, LogFn log);
  ~RoomAckReader();  // stop()
  RoomAckReader(const RoomAckReader&) = delete;
  RoomAckReader& operator=(const RoomAckReader&) = delete;

  void start();
  // Returns at once; a /sync in flight ends within its deadline, its answer dropped.
  void stop();

  struct State;  // shared with the reader thread, which may outlive the reader by one /sync

 private:
  static void follow(const std::shared_ptr<State>& s);
  std::shared_ptr<State> state_;
};

}  // namespace hsops::watchdog
