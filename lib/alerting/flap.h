// Flap damping: an alert that keeps flipping between fired and resolved pages once, then is
// held until its check has stayed OK for a while (Nagios flap detection, simplified).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "alerting/alert.h"

namespace hsops::alerting {

struct FlapSettings {
  int max_flips = 4;                             // more flips than this in `window` is flapping
  std::chrono::seconds window{std::chrono::minutes{30}};
  std::chrono::seconds hold{std::chrono::minutes{10}};  // OK this long ends a flapping alert
};

// Fired/resolved flip times per fingerprint, kept only within the window.
using Flips = std::map<std::string, std::vector<TimePoint>>;

// Records one flip at `now`; true when the fingerprint now flips more than max_flips in window.
bool record_flip(Flips& flips, const std::string& fingerprint, TimePoint now, const FlapSettings& settings);
// Drops flips older than the window, and fingerprints left with none.
void prune_flips(Flips& flips, TimePoint now, const FlapSettings& settings);

}  // namespace hsops::alerting
