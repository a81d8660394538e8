// Benchmark harness, not a product: hsops-collector's HTTP server and ingest path (rate limit,
// content type, parse + validation, pseudonym) with a store that acknowledges without
// writing. Run beside the real collector by tests/bench/collector_bench.sh, it separates what
// the HTTP + validation path costs from what storing costs.
// Usage: hsops-bench-collector-nostore THREADS  (prints "listening on 127.0.0.1:PORT")
#include <atomic>
#include <cstdlib>
#include <iostream>

#include "stats/collector/ingest.h"
#include "stats/collector/server.h"

namespace {

class DiscardingStore final : public hsops::stats::ReportStore {
 public:
  hsops::Result<bool> insert(const hsops::stats::StoredReport&) override {
    ++accepted;
    return true;
  }
  hsops::Result<std::vector<hsops::stats::ServerFigures>> latest_per_server() override {
    return std::vector<hsops::stats::ServerFigures>{};
  }
  hsops::Result<std::int64_t> purge_older_than(int) override { return std::int64_t{0}; }
  hsops::Result<bool> healthy() override { return true; }
  std::atomic<long> accepted{0};
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  DiscardingStore store;
  hsops::stats::RateLimiter limiter(1e9, 1e9);
  hsops::stats::Ingest ingest(store, limiter, std::string(64, 'a'), 5);
  hsops::stats::ServerOptions options;
  options.port = 0;
  options.threads = threads;
  hsops::stats::Server server(options, ingest);
  auto port = server.listen();
  if (!port) {
    std::cerr << port.error().message << '\n';
    return 1;
  }
  std::cerr << "listening on 127.0.0.1:" << *port << std::endl;
  server.run();
  std::cerr << "accepted " << store.accepted << '\n';
  return 0;
}
