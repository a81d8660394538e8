// What `hsops check bridge` needs, as plain values (bridge.cpp reads them from checks.bridge).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checks/bridge/traffic.h"
#include "checks/common/pg_target.h"
#include "core/range.h"
#include "net/http.h"

namespace hsops::checks::bridge {

// The two directions, also the values of the `direction` metric label.
inline constexpr const char* kMatrixToRemote = "matrix_to_remote";
inline constexpr const char* kRemoteToMatrix = "remote_to_matrix";

struct IrcRemote {
  std::string host;
  int port = 6667;      // 6697 when tls
  bool tls = false;     // TLS with the server's certificate and name always verified
  std::string ca_file;  // CA bundle for TLS besides the system store ("" = http.ca_file, if any)
  std::string channel;  // "#bridged"
  std::string nick;     // the canary's nick on the remote network
};

// Any other network: `send` gets the canary text on stdin and must exit 0 once it has posted
// it; `wait` gets HSOPS_CANARY_TAG in its environment and must exit 0 once it has seen a
// message containing it. Both run through lib/exec with the direction's deadline.
struct ExecRemote {
  std::vector<std::string> send;
  std::vector<std::string> wait;
};

struct BridgeTarget {
  std::string name;        // label value: "irc", "libera", ...
  std::string room_id;     // the portal room
  std::string user_id;     // the Matrix canary account
  std::optional<std::string> password;
  std::optional<std::string> access_token;
  std::optional<IrcRemote> irc;  // exactly one of irc / exec
  std::optional<ExecRemote> exec;
  std::string user_regex;  // the appservice user namespace, for the passive view ("" = none)
};

struct Options {
  std::string homeserver_url;
  std::vector<BridgeTarget> bridges;
  std::chrono::milliseconds direction_timeout{8000};  // per direction; both run at once
  net::Deadlines deadlines;                            // per HTTP request
  std::string ca_file;
  std::optional<Range> warning = Range::parse("5").value();  // latency seconds, each direction
  std::optional<Range> critical;
  // Passive view from Synapse's database (nullopt = canary only).
  std::optional<PgTarget> database;
  std::chrono::seconds traffic_window{3600};
  TrafficLimits traffic_limits;  // min_messages, min_ratio
};

}  // namespace hsops::checks::bridge
