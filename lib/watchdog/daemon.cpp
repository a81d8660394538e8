#include "watchdog/daemon.h"

#include <atomic>
#include <csignal>
#include <ctime>
#include <map>
#include <mutex>
#include <random>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "config/config.h"
#include "metrics/latest_results.h"
#include "metrics/process_metrics.h"
#include "watchdog/alert_keeper.h"
#include "watchdog/dispatcher.h"
#include "watchdog/heartbeat.h"
#include "watchdog/host_pause.h"
#include "watchdog/http_api.h"
#include "watchdog/remedies.h"
#include "watchdog/room_acks.h"
#include "watchdog/setup.h"
#include "watchdog/systemd_notify.h"

namespace hsops::watchdog {
namespace {

using namespace std::chrono;
using alerting::Notification;

// One line per event, whole lines even from many threads; journald adds the time.
class LineLog {
 public:
  explicit LineLog(std::ostream& out) : out_(out) {}
  void operator()(std::string line) {
    for (auto& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    std::lock_guard lock(mutex_);
    out_ << line << std::endl;
  }

 private:
  std::mutex mutex_;
  std::ostream& out_;
};

// The dispatcher in force: a reload swaps it while checks keep reporting.
class Paging {
 public:
  void send(const Notification& n) {
    std::shared_ptr<Dispatcher> d;
    {
      std::lock_guard lock(mutex_);
      d = current_;
    }
    if (d) d->send(n);
  }
  std::shared_ptr<Dispatcher> replace(std::shared_ptr<Dispatcher> next) {
    std::lock_guard lock(mutex_);
    std::swap(current_, next);
    return next;
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<Dispatcher> current_;
};

// The HTTP API's view of the daemon.
class DaemonApi final : public AlertsApi {
 public:
  DaemonApi(AlertKeeper& keeper, const Clock& clock, milliseconds tick) : keeper_(keeper), clock_(clock), tick_(tick) {
    alive();
  }
  void alive() { last_tick_ = clock_.monotonic().time_since_epoch().count(); }

  nlohmann::json list() override { return keeper_.list(); }
  Result<nlohmann::json> ack(const std::string& id, const std::string& by, std::optional<seconds> duration,
                             const std::string& comment) override {
    return keeper_.ack(id, by, duration, comment);
  }
  Result<nlohmann::json> silence(const std::string& check, std::optional<std::string> alert, seconds duration,
                                 const std::string& by, const std::string& comment) override {
    return keeper_.silence(check, alert, duration, by, comment);
  }
  Result<bool> healthy() override {
    const auto since = clock_.monotonic().time_since_epoch() - steady_clock::duration(last_tick_.load());
    if (since > 5 * tick_ + seconds(5)) {
      return Error{ErrorKind::timeout, "the main loop last ran " + std::to_string(duration_cast<seconds>(since).count()) +
                                           " s ago"};
    }
    return true;
  }

 private:
  AlertKeeper& keeper_;
  const Clock& clock_;
  milliseconds tick_;
  std::atomic<steady_clock::rep> last_tick_{0};
};

std::vector<std::string> names_of(const WatchdogSetup& setup) {
  std::vector<std::string> names;
  for (const auto& c : setup.checks) names.push_back(c.name);
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

CheckResult host_result(Status status, std::string summary) {
  CheckResult r;
  r.check = "host";
  r.status = status;
  r.summary = std::move(summary);
  return r;
}

std::string minutes_text(milliseconds d) {
  const auto s = duration_cast<seconds>(d).count();
  return s < 120 ? std::to_string(s) + " s" : std::to_string(s / 60) + " min";
}

// "watching 7 checks; 2 alerts (1 critical, 1 acked)": systemctl status shows it.
std::string status_summary(const WatchdogSetup& setup, const nlohmann::json& alerts) {
  int critical = 0;
  int acked = 0;
  for (const auto& a : alerts["alerts"]) {
    if (a["severity"] == "critical") ++critical;
    if (!a["acked_by"].is_null()) ++acked;
  }
  const auto n = alerts["alerts"].size();
  const auto checks = setup.checks.size();
  std::string s = "watching " + std::to_string(checks) + (checks == 1 ? " check; " : " checks; ");
  if (n == 0) return s + "no alerts";
  return s + std::to_string(n) + (n == 1 ? " alert (" : " alerts (") + std::to_string(critical) + " critical, " +
         std::to_string(acked) + " acked)";
}

class Daemon {
 public:
  Daemon(const DaemonOptions& options, std::ostream& out) : options_(options), log_(out) {}

  int run() {
    sigset_t signals;
    sigemptyset(&signals);
    for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, sig);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: they all inherit it

    auto setup = load();
    if (!setup) return 1;
    setup_ = std::move(*setup);
    for (const auto& w : setup_.warnings) say("warning: " + w);

    registry_ = std::make_shared<prometheus::Registry>();
    auto& pauses = prometheus::BuildCounter().Name("hsops_watchdog_host_pauses_total")
                       .Help("Main-loop ticks that came late by more than the pause threshold (host frozen or suspended)")
                       .Register(*registry_);
    host_pauses_ = &pauses.Add({});
    auto& reloads = prometheus::BuildCounter().Name("hsops_watchdog_reloads_total")
                        .Help("Config reloads on SIGHUP, by result (ok, refused)").Register(*registry_);
    reloads_ok_ = &reloads.Add({{"result", "ok"}});
    reloads_refused_ = &reloads.Add({{"result", "refused"}});
    auto& heartbeat_failures = prometheus::BuildCounter().Name("hsops_watchdog_heartbeat_failures_total")
                                   .Help("Heartbeat pings that failed (dead man's switch URL)").Register(*registry_);
    heartbeat_failures_ = &heartbeat_failures.Add({});
    auto& last_tick = prometheus::BuildGauge().Name("hsops_watchdog_last_tick_timestamp_seconds")
                          .Help("When the main loop last ran (Unix time): alerts/hsops-watchdog.rules.yml").Register(*registry_);
    tick_gauge_ = &last_tick.Add({});

    paging_.replace(make_dispatcher(setup_));
    keeper_ = std::make_shared<AlertKeeper>(
        setup_.watchdog.engine, clock_, setup_.watchdog.state_file, names_of(setup_),
        [this](const Notification& n) { paging_.send(n); }, [this](const std::string& l) { say(l); });
    api_ = std::make_unique<DaemonApi>(*keeper_, clock_, options_.tick);
    http_ = std::make_unique<HttpApi>(HttpApiOptions{setup_.watchdog.listen, setup_.watchdog.api_token},
                                      std::vector<std::weak_ptr<prometheus::Collectable>>{registry_, latest_, keeper_, process_},
                                      *api_);
    const auto port = http_->start();
    if (!port) {
      say("cannot serve on " + setup_.watchdog.listen + ": " + port.error().message + " (watchdog.listen)");
      return 1;
    }
    start_watching();
    say("watching " + joined(names_of(setup_)) + "; /metrics, /health and /api/v1/alerts on " + setup_.watchdog.listen +
        (setup_.config_file.empty() ? "; no config file, built-in defaults" : "; config " + setup_.config_file));
    notify_ready(status_line(status_summary(setup_, keeper_->list())));
    main_loop(signals);
    stop();
    return 0;
  }

 private:
  std::optional<WatchdogSetup> load() {
    try {
      return load_setup(config::load_document(options_.config_path), clock_);
    } catch (const config::ConfigError& e) {
      say(std::string("config error: ") + e.what());
      return std::nullopt;
    }
  }

  std::shared_ptr<Dispatcher> make_dispatcher(const WatchdogSetup& setup) {
    auto d = std::make_shared<Dispatcher>(setup.watchdog.notifiers, clock_, *registry_,
                                          [this](const std::string& l) { say(l); });
    return d;
  }

  void start_watching() {
    std::random_device seed;
    loop_ = std::make_unique<CheckLoop>(setup_.checks, clock_, [this](const CheckResult& r) {
      latest_->update(r, unix_seconds(clock_.now()));
      keeper_->observe(r);
    }, seed());
    loop_->start();
    readers_.clear();
    for (const auto& n : setup_.watchdog.notifiers) {
      if (!n.matrix || setup_.watchdog.responders.empty()) continue;
      auto reader = std::make_unique<RoomAckReader>(
          RoomAckOptions{*n.matrix, setup_.watchdog.responders}, clock_,
          [this](const std::string& id, const std::string& who, std::optional<seconds> d, const std::string& c) {
            return keeper_->ack(id, who, d, c);
          },
          [this](const std::string& l) { say(l); });
      reader->start();
      readers_.push_back(std::move(reader));
    }
    if (remedies_) remedies_->stop();
    remedies_ = std::make_unique<Remedies>(
        setup_.watchdog.remedy_by_check, clock_, [this](const std::string& l) { say(l); },
        [this](const std::string& fingerprint, const std::string& outcome) { keeper_->page_remedy(fingerprint, outcome); });
    heartbeat_.reset();
    if (setup_.watchdog.heartbeat_url) {
      heartbeat_ = std::make_unique<Heartbeat>(HeartbeatOptions{*setup_.watchdog.heartbeat_url, seconds(60), seconds(10),
                                                                setup_.global.ca_file},
                                               clock_, [this](const std::string& l) { say(l); },
                                               [this] { heartbeat_failures_->Increment(); });
    }
  }

  void main_loop(const sigset_t& signals) {
    PauseDetector pause_detector(options_.tick, setup_.watchdog.host_pause_threshold);
    (void)pause_detector.observe(read_clocks());  // the baseline: a pause during the first tick counts too
    const auto keepalive = watchdog_keepalive_interval();
    auto next_keepalive = steady_clock::now();
    auto next_refresh = steady_clock::now() + seconds(60);
    std::string last_status;
    for (;;) {
      timespec wait{static_cast<time_t>(options_.tick.count() / 1000),
                    static_cast<long>(options_.tick.count() % 1000) * 1'000'000};
      siginfo_t info{};
      const int sig = sigtimedwait(&signals, &info, &wait);
      if (sig == SIGTERM || sig == SIGINT) {
        say(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
        return;
      }
      if (sig == SIGHUP) reload();

      if (const auto pause = pause_detector.observe(read_clocks())) host_paused(pause->lost);
      end_host_alert();
      keeper_->tick();
      if (steady_clock::now() >= next_refresh) {
        keeper_->refresh(alertmanager_notifiers());
        next_refresh = steady_clock::now() + seconds(60);
      }
      const auto listed = keeper_->list();  // once a tick, for the remedies and the status line
      remedies_->tick(listed["alerts"]);
      if (heartbeat_) heartbeat_->tick();
      api_->alive();
      tick_gauge_->Set(unix_seconds(clock_.now()));
      if (keepalive && steady_clock::now() >= next_keepalive) {
        notify_watchdog();  // only from here: a wedged main loop lets systemd restart us
        next_keepalive = steady_clock::now() + duration_cast<steady_clock::duration>(*keepalive);
      }
      const auto status = status_line(status_summary(setup_, listed));
      if (status != last_status) notify_status(status);
      last_status = status;
    }
  }

  // The outage's lesson: after a freeze the clock is off and leases may have expired, so the
  // checks run at once (the clock first) and the pause is an alert of its own.
  void host_paused(milliseconds lost) {
    host_pauses_->Increment();
    say("host paused for " + minutes_text(lost) + ": the main loop did not run; running every check now");
    keeper_->observe(host_result(Status::warning, "host paused for " + minutes_text(lost) +
                                                      " (VM frozen or suspended): check the clock and leases"));
    host_alert_until_ = clock_.monotonic() + minutes(15);
    loop_->run_now("clock");
    for (const auto& c : setup_.checks) loop_->run_now(c.name);
  }

  void end_host_alert() {
    if (!host_alert_until_ || clock_.monotonic() < *host_alert_until_) return;
    keeper_->observe(host_result(Status::ok, "no host pause in the last 15 min"));
    host_alert_until_.reset();
  }

  // A new config replaces the old only whole: an invalid one is refused and the old one runs on.
  void reload() {
    say("SIGHUP: reloading " + (setup_.config_file.empty() ? std::string("the config") : setup_.config_file));
    auto next = load();
    if (!next) {
      reloads_refused_->Increment();
      say("reload refused: the running config stays in force");
      return;
    }
    for (const auto& w : next->warnings) say("warning: " + w);
    if (next->watchdog.listen != setup_.watchdog.listen || next->watchdog.state_file != setup_.watchdog.state_file ||
        next->watchdog.api_token != setup_.watchdog.api_token) {
      say("watchdog.listen, state_file and api_token take effect at the next restart");
    }
    loop_->stop();
    for (const auto& old : names_of(setup_)) {
      const auto now = names_of(*next);
      if (std::find(now.begin(), now.end(), old) != now.end()) continue;
      CheckResult gone;
      gone.check = old;
      gone.status = Status::ok;
      gone.summary = "no longer watched (removed from the config)";
      keeper_->observe(gone);  // resolves its alerts instead of leaving them firing forever
    }
    latest_->retain_only(names_of(*next));
    keeper_->reconfigure(next->watchdog.engine, names_of(*next));
    const auto listen = setup_.watchdog.listen;
    const auto state_file = setup_.watchdog.state_file;
    const auto token = setup_.watchdog.api_token;
    setup_ = std::move(*next);
    setup_.watchdog.listen = listen;
    setup_.watchdog.state_file = state_file;
    setup_.watchdog.api_token = token;
    if (auto old = paging_.replace(make_dispatcher(setup_))) old->stop(seconds(1));
    start_watching();
    reloads_ok_->Increment();
    say("reloaded: watching " + joined(names_of(setup_)));
  }

  void stop() {
    notify_stopping();
    loop_->stop();
    for (auto& r : readers_) r->stop();
    remedies_->stop();
    // Pages already queued get a moment; whatever is stuck in a network call is left behind.
    if (auto d = paging_.replace(nullptr)) d->stop(seconds(2));
    http_->stop();
    say("stopped");
  }

  // Alertmanager ends an alert 4 min after its last re-send (endsAt): these get a re-send a minute.
  std::vector<std::string> alertmanager_notifiers() const {
    std::vector<std::string> names;
    for (const auto& n : setup_.watchdog.notifiers) {
      if (n.alertmanager) names.push_back(n.name);
    }
    return names;
  }

  void say(const std::string& line) { log_(line); }

  const DaemonOptions& options_;
  LineLog log_;
  const SystemClock clock_;
  WatchdogSetup setup_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<metrics::LatestResults> latest_ = std::make_shared<metrics::LatestResults>();
  std::shared_ptr<metrics::ProcessMetrics> process_ = std::make_shared<metrics::ProcessMetrics>();
  prometheus::Counter* host_pauses_ = nullptr;
  prometheus::Counter* reloads_ok_ = nullptr;
  prometheus::Counter* reloads_refused_ = nullptr;
  prometheus::Counter* heartbeat_failures_ = nullptr;
  prometheus::Gauge* tick_gauge_ = nullptr;
  Paging paging_;
  std::shared_ptr<AlertKeeper> keeper_;
  std::unique_ptr<DaemonApi> api_;
  std::unique_ptr<HttpApi> http_;
  std::unique_ptr<CheckLoop> loop_;
  std::vector<std::unique_ptr<RoomAckReader>> readers_;
  std::unique_ptr<Remedies> remedies_;
  std::unique_ptr<Heartbeat> heartbeat_;
  std::optional<steady_clock::time_point> host_alert_until_;
};

}  // namespace

int run_watchdog(const DaemonOptions& options, std::ostream& log) {
  Daemon daemon(options, log);
  return daemon.run();
}

}  // namespace hsops::watchdog
