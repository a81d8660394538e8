// hsops-collector's HTTP server (Boost.Beast on Asio): body limit, a deadline for the request
// head and one for the body (a slowloris sender is cut off), keep-alive, and graceful
// shutdown: on stop() it stops accepting, closes idle connections, lets requests in flight
// finish (their reports are committed before the 200) for up to the grace period.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/units.h"
#include "stats/collector/ingest.h"

namespace hsops::stats {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 8787;
  std::size_t body_limit = 16 * 1024;
  std::size_t header_limit = 8 * 1024;
  Millis header_timeout{5000};
  Millis read_timeout{10000};
  Millis write_timeout{10000};
  int threads = 4;
  Millis shutdown_grace{20000};
  // Problems worth an operator's attention that no request reports (e.g. out of file
  // descriptors); called at most once a minute per kind, from an HTTP thread.
  std::function<void(const std::string&)> warn;
};

class Server {
 public:
  Server(ServerOptions options, Ingest& ingest);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0). Error kind "listen".
  Result<unsigned short> listen();
  // Serves until SIGTERM/SIGINT or stop(); returns after the graceful shutdown.
  // `before_stop` runs after the grace period while the HTTP threads still run (the collector
  // drains its store there, so the last commits are still answered).
  void run(const std::function<void()>& before_stop = {});
  // Thread-safe; may be called from any thread.
  void stop();
  // Runs `work` on HTTP thread `loop` (thread-safe; out of range means thread 0). The store
  // hands a batch's answers to each thread this way: one wake-up per batch and thread, not per
  // report, and each thread then writes to its own connections without another hand-over.
  void post(std::size_t loop, std::function<void()> work);
  // The HTTP thread calling (the `loop` for post()), or 0 from any other thread.
  static std::size_t current_loop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hsops::stats
