#include "watchdog/heartbeat.h"

#include <mutex>
#include <thread>

#include "net/http.h"

namespace hsops::watchdog {

struct Heartbeat::Shared {
  Log log;
  std::function<void()> on_failure;
  std::atomic<bool> in_flight{false};
  std::mutex mutex;
  std::string last_outcome;  // "" ok, else the error: logged when it changes
};

Heartbeat::Heartbeat(HeartbeatOptions options, const Clock& clock, Log log, std::function<void()> on_failure)
    : options_(std::move(options)), clock_(clock), shared_(std::make_shared<Shared>()) {
  shared_->log = std::move(log);
  shared_->on_failure = std::move(on_failure);
}

void Heartbeat::tick() {
  const auto now = clock_.monotonic();
  if (options_.url.empty() || now < next_ || shared_->in_flight.exchange(true)) return;
  next_ = now + options_.every;
  net::Request request;
  request.url = options_.url;
  request.deadlines = {std::min(options_.deadline, std::chrono::milliseconds(3000)), options_.deadline};
  request.ca_file = options_.ca_file;
  std::thread([request, shared = shared_] {
    const auto answer = net::perform(request);
    std::string outcome;
    if (!answer) {
      outcome = answer.error().message;
    } else if (answer->status < 200 || answer->status > 299) {
      outcome = "HTTP " + std::to_string(answer->status) + " from " + net::redact_url(request.url);
    }
    {
      std::lock_guard lock(shared->mutex);
      if (!outcome.empty()) shared->on_failure();
      if (outcome != shared->last_outcome) {
        shared->log(outcome.empty() ? "heartbeat delivered again" : "heartbeat failed: " + outcome);
      }
      shared->last_outcome = outcome;
    }
    shared->in_flight = false;
  }).detach();
}

}  // namespace hsops::watchdog
