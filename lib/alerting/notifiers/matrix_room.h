// The Matrix notifier: each page is an m.notice (plain and HTML body) in the ops room, sent
// with PUT .../send/m.room.message/{txnId} and a txnId derived from the page itself, so a
// retry after a lost answer is deduplicated by the homeserver instead of posted twice. Best on
// another homeserver than the monitored one: a page about a dead homeserver must not need it.
#pragma once

#include <chrono>
#include <string>

#include "alerting/notification.h"
#include "core/clock.h"
#include "core/result.h"
#include "matrix/client.h"

namespace hsops::alerting {

struct MatrixRoomOptions {
  matrix::ClientOptions client;     // base_url, per-request deadlines, ca_file
  std::string access_token;         // from a file or the environment only
  std::string room_id;              // "!abc:example.org"
  std::chrono::milliseconds deadline{15'000};  // the whole send, retries of 429 included
};

// The notice's own field naming its alert ({"id", "fingerprint", "event"}): a reply or a
// reaction to the notice acks that alert, whatever the client quotes (or no longer quotes).
inline constexpr const char* matrix_alert_field = "org.hsops.alert";

// The same page always gives the same id; another page (a repeat, a higher tier, the
// resolution) another one.
std::string matrix_txn_id(const Notification& notification);

struct MatrixMessage {
  std::string plain;
  std::string html;
};
// "CRITICAL wal: <summary> (alert 3f9a1c, tier 2) - reply "ack" to acknowledge" and its HTML.
MatrixMessage matrix_message(const Notification& notification);

// Posts the page; returns the event id. Errors name the room and the homeserver's errcode,
// never the token.
Result<std::string> send_matrix_notice(const Notification& notification, const MatrixRoomOptions& options,
                                       const Clock& clock);

}  // namespace hsops::alerting
