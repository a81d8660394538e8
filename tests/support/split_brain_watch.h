// "Never two writable primaries": samples pg_is_in_recovery() on both nodes every 100 ms from a
// thread until stopped, counting the moments when both answer as writable primaries.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "pg/connection.h"

namespace hsops::test {

// "t", "f", or "" when the node does not answer (2 s to connect, 3 s per query).
inline std::string in_recovery(const std::string& conninfo) {
  pg::Options o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.statement_timeout = std::chrono::milliseconds(3000);
  o.application_name = "hsops-split-brain-watch";
  auto c = pg::Connection::open(conninfo, o);
  if (!c.ok()) return "";
  // Not ::text (that is "true"/"false"): libpq's text form of a bool is "t"/"f".
  auto r = c.value().query("SELECT pg_is_in_recovery()");
  return r.ok() && r->size() == 1 ? r->rows[0][0].value_or("") : "";
}

class SplitBrainWatch {
 public:
  SplitBrainWatch(std::string conninfo1, std::string conninfo2)
      : c1_(std::move(conninfo1)), c2_(std::move(conninfo2)), thread_([this] { loop(); }) {}
  ~SplitBrainWatch() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int both_writable() const { return both_; }
  int samples() const { return samples_; }
  // Samples with exactly one writable primary: proves the watch reads what it judges.
  int one_writable() const { return one_; }

 private:
  void loop() {
    while (!stop_) {
      const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
      const std::string r1 = in_recovery(c1_), r2 = in_recovery(c2_);
      if (r1 == "f" && r2 == "f") ++both_;
      if ((r1 == "f") != (r2 == "f")) ++one_;
      ++samples_;
      std::this_thread::sleep_until(next);
    }
  }
  const std::string c1_, c2_;
  std::atomic<bool> stop_{false};
  std::atomic<int> both_{0}, one_{0}, samples_{0};
  std::thread thread_;
};

}  // namespace hsops::test
