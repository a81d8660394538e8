// The Matrix steps of one probe run, each a call or two over matrix::Client; errors as values
// (Error.kind is the Matrix errcode or the lib/net kind).
#pragma once

#include <string>

#include "checks/probe/options.h"
#include "core/result.h"
#include "matrix/client.h"

namespace hsops::checks::probe {

// /.well-known/matrix/client (404 -> keep homeserver_url; bad -> Error "well_known"), then
// /_matrix/client/versions. Returns a line for details (which base URL is used and why).
Result<std::string> discover(matrix::Client& client, const Options& options);

// Token mode: whoami only. Password mode: GET /login (OAuth-only servers answer 404
// M_UNRECOGNIZED: reported as "oauth_only"), POST /login with the fixed device_id, whoami.
Result<bool> login(matrix::Client& client, const Options& options);

// POST /logout: a password-mode run ends by dropping its token, or Synapse would keep one per
// run (re-login with the same device_id adds a token and keeps the old ones).
Result<bool> logout(matrix::Client& client);

// A local-only probe room (m.federate false), created once.
Result<std::string> create_room(matrix::Client& client);

// The sync token to wait from (an initial /sync limited to the room, timeout 0).
Result<std::string> sync_position(matrix::Client& client, const std::string& room_id);

// PUT an m.notice with txn_id; returns the event_id.
Result<std::string> send_notice(matrix::Client& client, const std::string& room_id, const std::string& txn_id);

// What one /sync answer says about our event (pure, for tests).
enum class Echo { seen, gap, not_yet };  // gap: timeline `limited`, the event may be skipped
Echo find_echo(const nlohmann::json& sync, const std::string& room_id, const std::string& event_id,
               const std::string& txn_id);

// Long-polls /sync from `since` until the event shows up (by event_id or
// unsigned.transaction_id); a limited timeline falls back to GET /rooms/{id}/event/{id}.
Result<bool> wait_for_echo(matrix::Client& client, const std::string& room_id, std::string since,
                           const std::string& event_id, const std::string& txn_id);

}  // namespace hsops::checks::probe
