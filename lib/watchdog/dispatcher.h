// Hands pages to the notifiers without ever waiting for one: one queue and one worker thread
// per notifier, so a notifier that black-holes requests delays neither the others, nor the
// checks, nor a scrape. Each page is retried with exponential backoff (a 429 waits at least a
// minute, an invalid page is dropped), and attempts, failures and drops are counted.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "alerting/notification.h"
#include "core/clock.h"
#include "watchdog/config.h"
#include "watchdog/notifier.h"

namespace hsops::watchdog {

struct DeliveryOptions {
  std::size_t queue_limit = 100;                       // per notifier; beyond it the oldest repeat goes
  std::chrono::milliseconds first_backoff{5'000};      // doubled per failure, +-10% jitter
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds rate_limited_wait{60'000};  // the least wait after a 429
  std::chrono::milliseconds give_up_after{1'800'000};  // a page still failing after this is dropped
};

class Dispatcher {
 public:
  using Log = std::function<void(const std::string&)>;
  // After each delivery: the notifier's name, the page, its reference (e.g. Matrix event id).
  using Delivered = std::function<void(const std::string&, const alerting::Notification&, const std::string&)>;
  using Named = std::vector<std::pair<std::string, std::unique_ptr<Notifier>>>;

  Dispatcher(Named notifiers, prometheus::Registry& registry, Log log, Delivered delivered = {},
             DeliveryOptions options = {});
  // The configured notifiers (make_notifier for each).
  Dispatcher(const std::vector<NotifierConfig>& configs, const Clock& clock, prometheus::Registry& registry, Log log);
  ~Dispatcher();  // stop(0)
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues the page for each of its notifiers and returns at once. An unknown name is logged.
  void send(const alerting::Notification& notification);
  // Lets the queues drain for up to `grace`, then returns; a worker still inside a network
  // call finishes it on its own (bounded by the notifier's deadline), its outcome unrecorded.
  void stop(std::chrono::milliseconds grace);

  struct Worker;  // shared with its thread, which may outlive the dispatcher by one delivery

 private:
  std::vector<std::shared_ptr<Worker>> workers_;
  Log log_;
};

}  // namespace hsops::watchdog
