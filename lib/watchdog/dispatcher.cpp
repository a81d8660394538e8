#include "watchdog/dispatcher.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

namespace hsops::watchdog {
namespace {

using alerting::Notification;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

struct Job {
  Notification page;
  int failures = 0;
  steady::time_point first_try{};
  steady::time_point next_try{};
};

std::string what(const Notification& n) {
  return "alert " + n.alert.id + " " + std::string(to_string(n.event)) + " (tier " + std::to_string(n.tier) + ")";
}

}  // namespace

struct Dispatcher::Worker {
  std::string name;
  std::unique_ptr<Notifier> notifier;
  DeliveryOptions options;
  Log log;
  Delivered delivered;
  prometheus::Counter* attempts;
  prometheus::Counter* failures;
  prometheus::Counter* dropped;
  prometheus::Gauge* queue_length;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  bool busy = false;
  bool stopped = false;
  std::mt19937 random{std::random_device{}()};

  void push(const Notification& n) {
    std::lock_guard lock(mutex);
    if (stopped) return;
    const std::size_t in_delivery = busy ? 1 : 0;  // the front, while its delivery runs: never dropped
    if (queue.size() >= options.queue_limit && queue.size() > in_delivery) {
      // A repeat is a reminder: losing the oldest one costs least.
      auto victim = std::find_if(queue.begin() + in_delivery, queue.end(),
                                 [](const Job& j) { return j.page.event == alerting::Event::repeat; });
      if (victim == queue.end()) victim = queue.begin() + in_delivery;
      log("notifier " + name + ": queue full (" + std::to_string(options.queue_limit) + "), dropped " + what(victim->page));
      queue.erase(victim);
      dropped->Increment();
    }
    queue.push_back(Job{n, 0, steady::now(), steady::now()});
    queue_length->Set(static_cast<double>(queue.size()));
    wake.notify_all();
  }

  milliseconds backoff(int failed, Failure kind) {
    milliseconds wait = options.first_backoff * (1LL << std::min(failed - 1, 16));
    wait = std::min(wait, options.max_backoff);
    std::uniform_real_distribution<double> jitter(0.9, 1.1);
    wait = milliseconds(static_cast<long long>(static_cast<double>(wait.count()) * jitter(random)));
    return kind == Failure::rate_limited ? std::max(wait, options.rate_limited_wait) : wait;
  }

  // The page at the front, once due; nullopt once stopped.
  std::optional<Job> next() {
    std::unique_lock lock(mutex);
    for (;;) {
      if (stopped) return std::nullopt;
      if (!queue.empty() && steady::now() >= queue.front().next_try) break;
      if (queue.empty()) {
        wake.wait(lock);
      } else {
        wake.wait_until(lock, queue.front().next_try);
      }
    }
    busy = true;
    return queue.front();
  }

  void finished(const Job& job, const Result<std::string>& outcome) {
    std::lock_guard lock(mutex);
    busy = false;
    if (stopped) return;  // the registry and the callbacks may be gone
    attempts->Increment();
    if (outcome) {
      queue.pop_front();
      if (delivered) delivered(name, job.page, *outcome);
    } else {
      failures->Increment();
      Job& front = queue.front();
      front.failures += 1;
      const Failure kind = notifier->classify(outcome.error());
      const bool too_long = steady::now() - front.first_try >= options.give_up_after;
      if (kind == Failure::permanent || too_long) {
        log("notifier " + name + ": gave up on " + what(job.page) + " after " + std::to_string(front.failures) +
            " attempt(s): " + outcome.error().message);
        queue.pop_front();
        dropped->Increment();
      } else {
        const auto wait = backoff(front.failures, kind);
        front.next_try = steady::now() + wait;
        log("notifier " + name + ": " + what(job.page) + " not delivered: " + outcome.error().message +
            "; retrying in " + std::to_string((wait.count() + 999) / 1000) + " s");
      }
    }
    queue_length->Set(static_cast<double>(queue.size()));
    wake.notify_all();
  }

  static void run(const std::shared_ptr<Worker>& w) {
    while (auto job = w->next()) w->finished(*job, w->notifier->deliver(job->page));
  }
};

Dispatcher::Dispatcher(Named notifiers, prometheus::Registry& registry, Log log, Delivered delivered,
                       DeliveryOptions options)
    : log_(log) {
  auto& attempts = prometheus::BuildCounter().Name("hsops_notification_attempts_total")
                       .Help("Deliveries tried per notifier (retries included)").Register(registry);
  auto& failures = prometheus::BuildCounter().Name("hsops_notification_failures_total")
                       .Help("Deliveries that failed per notifier (each retry counts)").Register(registry);
  auto& dropped = prometheus::BuildCounter().Name("hsops_notification_dropped_total")
                      .Help("Pages given up per notifier (invalid, failing for 30 min, or queue full)").Register(registry);
  auto& queued = prometheus::BuildGauge().Name("hsops_notification_queue_length")
                     .Help("Pages waiting per notifier (the one in delivery included)").Register(registry);
  for (auto& [name, notifier] : notifiers) {
    auto w = std::make_shared<Worker>();
    w->name = name;
    w->notifier = std::move(notifier);
    w->options = options;
    w->log = log;
    w->delivered = delivered;
    w->attempts = &attempts.Add({{"notifier", name}});
    w->failures = &failures.Add({{"notifier", name}});
    w->dropped = &dropped.Add({{"notifier", name}});
    w->queue_length = &queued.Add({{"notifier", name}});
    std::thread([w] { Worker::run(w); }).detach();
    workers_.push_back(std::move(w));
  }
}

namespace {
Dispatcher::Named from_configs(const std::vector<NotifierConfig>& configs, const Clock& clock) {
  Dispatcher::Named out;
  for (const auto& c : configs) out.emplace_back(c.name, make_notifier(c, clock));
  return out;
}
}  // namespace

Dispatcher::Dispatcher(const std::vector<NotifierConfig>& configs, const Clock& clock, prometheus::Registry& registry,
                       Log log)
    : Dispatcher(from_configs(configs, clock), registry, std::move(log)) {}

Dispatcher::~Dispatcher() { stop(milliseconds(0)); }

void Dispatcher::send(const Notification& n) {
  for (const auto& name : n.notifiers) {
    const auto w = std::find_if(workers_.begin(), workers_.end(), [&](const auto& x) { return x->name == name; });
    if (w == workers_.end()) {
      log_("no notifier named " + name + " for " + what(n) + " (watchdog.notifiers)");
      continue;
    }
    (*w)->push(n);
  }
}

void Dispatcher::stop(milliseconds grace) {
  const auto until = steady::now() + grace;
  for (const auto& w : workers_) {
    std::unique_lock lock(w->mutex);
    // Only pages due now can go out in the grace period; a backoff wait is not waited for.
    w->wake.wait_until(lock, until, [&] { return w->queue.empty() || steady::now() < w->queue.front().next_try; });
    w->stopped = true;
    w->wake.notify_all();
  }
}

}  // namespace hsops::watchdog
