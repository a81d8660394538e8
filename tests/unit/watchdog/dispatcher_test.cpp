// The dispatcher: a black-holed notifier delays no other, failures are retried with backoff and
// counted, an invalid page is not retried, a full queue drops the oldest repeat, and stop()
// returns within its grace while a worker is stuck.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "watchdog/dispatcher.h"

using namespace std::chrono_literals;
using namespace hsops;
using hsops::watchdog::Dispatcher;
using hsops::watchdog::Failure;
using hsops::watchdog::Notifier;

namespace {

alerting::Notification page(alerting::Event event, std::vector<std::string> to, const std::string& id = "abc123") {
  alerting::Notification n{event, {}, 1, std::move(to)};
  n.alert.id = id;
  n.alert.fingerprint = "wal{slot=" + id + "}";
  n.alert.check = "wal";
  return n;
}

// Answers from a script of outcomes, or blocks until released.
class FakeNotifier final : public Notifier {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<Result<std::string>> script;  // consumed in order; then "ok"
    std::vector<alerting::Notification> got;
    bool block = false;
    Failure failure = Failure::retry;
    bool wait_for(std::size_t n, std::chrono::milliseconds limit) {
      std::unique_lock lock(mutex);
      return changed.wait_for(lock, limit, [&] { return got.size() >= n; });
    }
    void release() {
      std::lock_guard lock(mutex);
      block = false;
      changed.notify_all();
    }
  };
  explicit FakeNotifier(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  Result<std::string> deliver(const alerting::Notification& n) override {
    std::unique_lock lock(s_->mutex);
    s_->changed.wait(lock, [&] { return !s_->block; });
    s_->got.push_back(n);
    s_->changed.notify_all();
    if (s_->script.empty()) return std::string("ok");
    auto next = s_->script.front();
    s_->script.erase(s_->script.begin());
    return next;
  }
  Failure classify(const Error&) const override { return s_->failure; }

 private:
  std::shared_ptr<Shared> s_;
};

double value(prometheus::Registry& registry, const std::string& family, const std::string& notifier) {
  for (const auto& f : registry.Collect()) {
    if (f.name != family) continue;
    for (const auto& m : f.metric) {
      if (m.label.size() == 1 && m.label[0].value == notifier) {
        return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      }
    }
  }
  return -1;
}

hsops::watchdog::DeliveryOptions fast() {
  hsops::watchdog::DeliveryOptions o;
  o.first_backoff = 50ms;
  o.max_backoff = 200ms;
  o.rate_limited_wait = 300ms;
  o.give_up_after = 10s;
  return o;
}

struct Setup {
  std::shared_ptr<FakeNotifier::Shared> hole = std::make_shared<FakeNotifier::Shared>();
  std::shared_ptr<FakeNotifier::Shared> room = std::make_shared<FakeNotifier::Shared>();
  prometheus::Registry registry;
  std::vector<std::string> log;
  std::mutex log_mutex;
  std::vector<std::string> references;
  std::unique_ptr<Dispatcher> dispatcher;

  explicit Setup(hsops::watchdog::DeliveryOptions o = fast()) {
    Dispatcher::Named named;
    named.emplace_back("hole", std::make_unique<FakeNotifier>(hole));
    named.emplace_back("room", std::make_unique<FakeNotifier>(room));
    dispatcher = std::make_unique<Dispatcher>(
        std::move(named), registry,
        [this](const std::string& l) {
          std::lock_guard lock(log_mutex);
          log.push_back(l);
        },
        [this](const std::string& name, const alerting::Notification&, const std::string& ref) {
          std::lock_guard lock(log_mutex);
          references.push_back(name + ":" + ref);
        },
        o);
  }
  ~Setup() {
    hole->release();
    room->release();
    dispatcher->stop(0ms);
  }
};

}  // namespace

TEST_CASE("dispatcher: a black-holed notifier delays neither the other nor the caller") {
  Setup s;
  s.hole->block = true;
  const auto start = std::chrono::steady_clock::now();
  s.dispatcher->send(page(alerting::Event::firing, {"hole", "room"}));
  s.dispatcher->send(page(alerting::Event::repeat, {"hole", "room"}));
  CHECK(std::chrono::steady_clock::now() - start < 50ms);  // send() only queues
  REQUIRE(s.room->wait_for(2, 500ms));
  CHECK(s.hole->got.empty());
  CHECK(value(s.registry, "hsops_notification_queue_length", "hole") == 2);
  s.hole->release();
  CHECK(s.hole->wait_for(2, 1s));
}

TEST_CASE("dispatcher: a failure is retried after a backoff and counted, and the reference is reported") {
  Setup s;
  s.room->script = {Error{ErrorKind::timeout, "Matrix room !ops: timeout after 10 s"}};
  const auto start = std::chrono::steady_clock::now();
  s.dispatcher->send(page(alerting::Event::firing, {"room"}));
  REQUIRE(s.room->wait_for(2, 2s));
  CHECK(std::chrono::steady_clock::now() - start >= 40ms);  // the backoff (50 ms, +-10%)
  std::this_thread::sleep_for(50ms);
  CHECK(value(s.registry, "hsops_notification_attempts_total", "room") == 2);
  CHECK(value(s.registry, "hsops_notification_failures_total", "room") == 1);
  std::lock_guard lock(s.log_mutex);
  REQUIRE(s.log.size() == 1);
  CHECK(s.log[0].find("notifier room: alert abc123 firing (tier 1) not delivered: Matrix room !ops: timeout") == 0);
  CHECK(s.log[0].find("retrying in") != std::string::npos);
  CHECK(s.references == std::vector<std::string>{"room:ok"});
}

TEST_CASE("dispatcher: an invalid page is dropped at once, and a rate limit waits longer") {
  Setup s;
  s.room->failure = Failure::permanent;
  s.room->script = {Error{ErrorKind::http_4xx, "PagerDuty refused the event as invalid (HTTP 400)"}};
  s.dispatcher->send(page(alerting::Event::firing, {"room"}, "aaaaaa"));
  s.dispatcher->send(page(alerting::Event::firing, {"room"}, "bbbbbb"));
  REQUIRE(s.room->wait_for(2, 1s));
  CHECK(s.room->got[1].alert.id == "bbbbbb");  // the first was not retried
  std::this_thread::sleep_for(50ms);
  CHECK(value(s.registry, "hsops_notification_dropped_total", "room") == 1);

  s.hole->failure = Failure::rate_limited;
  s.hole->script = {Error{ErrorKind::http_4xx, "rate limited (HTTP 429)"}};
  const auto start = std::chrono::steady_clock::now();
  s.dispatcher->send(page(alerting::Event::firing, {"hole"}));
  REQUIRE(s.hole->wait_for(2, 2s));
  CHECK(std::chrono::steady_clock::now() - start >= 290ms);  // rate_limited_wait, not 50 ms
}

TEST_CASE("dispatcher: a full queue drops the oldest repeat, never the page in delivery") {
  auto o = fast();
  o.queue_limit = 3;
  Setup s(o);
  s.hole->block = true;
  s.dispatcher->send(page(alerting::Event::firing, {"hole"}, "f00001"));
  REQUIRE(s.hole->wait_for(0, 10ms));
  std::this_thread::sleep_for(50ms);  // the firing page is in delivery (blocked)
  s.dispatcher->send(page(alerting::Event::repeat, {"hole"}, "r00002"));
  s.dispatcher->send(page(alerting::Event::escalated, {"hole"}, "e00003"));
  s.dispatcher->send(page(alerting::Event::resolved, {"hole"}, "d00004"));
  CHECK(value(s.registry, "hsops_notification_dropped_total", "hole") == 1);
  s.hole->release();
  REQUIRE(s.hole->wait_for(3, 1s));
  std::vector<std::string> ids;
  for (const auto& n : s.hole->got) ids.push_back(n.alert.id);
  CHECK(ids == std::vector<std::string>{"f00001", "e00003", "d00004"});
}

TEST_CASE("dispatcher: stop returns within its grace while a worker is stuck, and nothing is recorded after") {
  Setup s;
  s.hole->block = true;
  s.dispatcher->send(page(alerting::Event::firing, {"hole"}));
  std::this_thread::sleep_for(50ms);
  const auto start = std::chrono::steady_clock::now();
  s.dispatcher->stop(200ms);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 150ms);
  CHECK(took < 1s);
  s.hole->release();
  REQUIRE(s.hole->wait_for(1, 1s));
  std::this_thread::sleep_for(50ms);
  CHECK(value(s.registry, "hsops_notification_attempts_total", "hole") == 0);
  s.dispatcher->send(page(alerting::Event::repeat, {"hole"}));  // after stop: ignored
  std::this_thread::sleep_for(50ms);
  CHECK(s.hole->got.size() == 1);
}

TEST_CASE("dispatcher: a page for a notifier that is not configured is logged") {
  Setup s;
  s.dispatcher->send(page(alerting::Event::firing, {"pager"}));
  std::lock_guard lock(s.log_mutex);
  REQUIRE(s.log.size() == 1);
  CHECK(s.log[0].find("no notifier named pager") == 0);
}
