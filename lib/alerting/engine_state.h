// Everything the engine remembers between events; all of it goes into the state file.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/failures.h"
#include "alerting/flap.h"

namespace hsops::alerting {

// Nothing is paged for a silenced alert until `until`; it is still tracked and listed.
struct Silence {
  std::string check;
  std::optional<std::string> fingerprint;  // one alert of the check (fingerprint or id); none: all
  TimePoint until;
  std::string who;
  std::string comment;
};

// A failure seen but not yet failing for its `for:` duration.
struct Pending {
  std::string check;
  Failure failure;
  std::string summary;
  TimePoint since;
};

struct EngineState {
  std::map<std::string, Alert> alerts;     // by fingerprint
  std::map<std::string, Pending> pending;  // by fingerprint
  std::vector<Silence> silences;
  Flips flips;
};

}  // namespace hsops::alerting
