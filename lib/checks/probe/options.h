// What `hsops check probe` needs, as plain values (probe.cpp reads them from checks.probe).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/range.h"
#include "net/http.h"

namespace hsops::checks::probe {

// Phases in the order they run; also the values of the `phase` metric label.
inline constexpr const char* kPhases[] = {"discovery", "login", "send", "sync_echo", "total"};

struct Options {
  std::string homeserver_url;   // client API base when discovery finds no .well-known
  std::string discovery_url;    // where /.well-known/matrix/client is fetched; "" = no discovery
  std::string user_id;          // full MXID of the probe account
  std::optional<std::string> password;      // one of these two is set (secrets: never logged)
  std::optional<std::string> access_token;
  std::string device_id = "HSOPS_PROBE";    // reused so devices do not pile up
  std::string room_id;                      // configured room; "" = create one and remember it
  std::filesystem::path state_file;
  net::Deadlines deadlines;                 // per request
  std::string ca_file;
  std::chrono::milliseconds budget{10000};  // the whole run
  std::map<std::string, Range> warning;     // by phase (kPhases); absent = no threshold
  std::map<std::string, Range> critical;
};

}  // namespace hsops::checks::probe
