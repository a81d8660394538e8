// Per-client token bucket. Keys are client IPs held in memory only (never stored or logged);
// idle buckets are forgotten so the table cannot grow without bound.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hsops::stats {

class RateLimiter {
 public:
  using Time = std::chrono::steady_clock::time_point;
  // `per_second` tokens refill continuously up to `burst`. max_clients bounds memory.
  RateLimiter(double per_second, double burst, std::size_t max_clients = 100000);

  // True if the client may make a request now (and takes a token).
  bool allow(const std::string& client, Time now);
  std::size_t clients() const;

 private:
  struct Bucket {
    double tokens;
    Time last;
  };
  void forget_idle(Time now);

  double per_second_;
  double burst_;
  std::size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace hsops::stats
