#include "stats/collector/rate_limit.h"

#include <algorithm>

namespace hsops::stats {

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_clients)
    : per_second_(std::max(per_second, 0.001)), burst_(std::max(burst, 1.0)), max_clients_(max_clients) {}

bool RateLimiter::allow(const std::string& client, Time now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) forget_idle(now);
    // Still full after forgetting idle clients: refuse rather than grow (a flood of
    // distinct addresses must not exhaust memory).
    if (buckets_.size() >= max_clients_) return false;
    it = buckets_.emplace(client, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + std::max(elapsed, 0.0) * per_second_);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void RateLimiter::forget_idle(Time now) {
  // A bucket that has refilled completely carries no information: drop it.
  const double refill_seconds = burst_ / per_second_;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (std::chrono::duration<double>(now - it->second.last).count() >= refill_seconds) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t RateLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace hsops::stats
