#include "alerting/flap.h"

#include <algorithm>

namespace hsops::alerting {
namespace {

void drop_old(std::vector<TimePoint>& times, TimePoint now, const FlapSettings& settings) {
  std::erase_if(times, [&](TimePoint t) { return now - t >= settings.window; });
}

}  // namespace

bool record_flip(Flips& flips, const std::string& fingerprint, TimePoint now, const FlapSettings& settings) {
  auto& times = flips[fingerprint];
  drop_old(times, now, settings);
  times.push_back(now);
  return static_cast<int>(times.size()) > settings.max_flips;
}

void prune_flips(Flips& flips, TimePoint now, const FlapSettings& settings) {
  for (auto it = flips.begin(); it != flips.end();) {
    drop_old(it->second, now, settings);
    it = it->second.empty() ? flips.erase(it) : std::next(it);
  }
}

}  // namespace hsops::alerting
