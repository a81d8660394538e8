// haproxy's runtime API (`stats socket PATH level admin`): one command per connection over the
// unix socket, every step under the deadline, so a wedged haproxy cannot hang a failover.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/units.h"

namespace hsops::failover {

// Sends one command and returns haproxy's whole answer. ErrorKind::connect when the socket is
// missing or refuses, timeout at the deadline.
Result<std::string> haproxy_command(const std::filesystem::path& socket, const std::string& command, Millis timeout);

struct HaproxyServer {
  std::string name;
  std::string status;  // as `show stat` says: "UP", "DOWN", "MAINT", "DRAIN", "NOLB", "UP 1/3", ...
};

// The servers of `backend` from `show stat` (CSV: pxname, svname, ..., status is field 18).
Result<std::vector<HaproxyServer>> haproxy_servers(const std::filesystem::path& socket, const std::string& backend,
                                                   Millis timeout);
// Parses `show stat` output; exposed for tests.
std::vector<HaproxyServer> parse_show_stat(const std::string& csv, const std::string& backend);

// `set server BACKEND/SERVER state ready|drain|maint`; haproxy answers nothing on success and
// a sentence on refusal, which becomes the error.
Result<bool> set_server_state(const std::filesystem::path& socket, const std::string& backend, const std::string& server,
                              const std::string& state, Millis timeout);

}  // namespace hsops::failover
