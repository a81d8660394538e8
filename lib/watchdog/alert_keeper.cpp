#include "watchdog/alert_keeper.h"

#include <algorithm>

#include <prometheus/metric_family.h>

#include "alerting/listing.h"
#include "alerting/route.h"
#include "alerting/state.h"

namespace hsops::watchdog {
namespace {

using alerting::Notification;

std::string page_line(const Notification& n) {
  std::string line = "alert " + n.alert.id + " " + n.alert.fingerprint + " " + std::string(to_string(n.event)) + " (" +
                     std::string(to_string(n.alert.severity)) + ", tier " + std::to_string(n.tier) + ")";
  if (n.event == alerting::Event::acked && n.alert.ack) line += " by " + n.alert.ack->who;
  line += ": " + n.alert.summary;
  if (!n.notifiers.empty()) {
    line += " -> ";
    for (std::size_t i = 0; i < n.notifiers.size(); ++i) line += (i ? ", " : "") + n.notifiers[i];
  }
  return line;
}

alerting::EngineState restore(const std::filesystem::path& file, const AlertKeeper::Log& log) {
  auto loaded = alerting::load_state(file);
  if (loaded) return std::move(*loaded);
  // Keep the bad file for a post-mortem; starting empty re-pages what is still failing.
  std::filesystem::path aside = file;
  aside += ".corrupt";
  std::error_code ec;
  std::filesystem::rename(file, aside, ec);
  log("cannot restore alerts: " + loaded.error().message + (ec ? "" : "; moved it to " + aside.string()) +
      "; starting with no alerts");
  return {};
}

prometheus::ClientMetric gauge(double value, std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

}  // namespace

AlertKeeper::AlertKeeper(alerting::EngineSettings settings, const Clock& clock, std::filesystem::path state_file,
                         std::vector<std::string> known_checks, Pager pager, Log log)
    : clock_(clock),
      state_file_(std::move(state_file)),
      pager_(std::move(pager)),
      log_(std::move(log)),
      known_checks_(std::move(known_checks)),
      settings_(settings) {
  std::error_code ec;  // the checks' state_dir may not exist yet on a first start; a failure shows at the first save
  std::filesystem::create_directories(state_file_.parent_path(), ec);
  auto state = restore(state_file_, log_);
  if (!state.alerts.empty()) log_("restored " + std::to_string(state.alerts.size()) + " alert(s) from " + state_file_.string());
  saved_ = alerting::state_to_json(state).dump();
  engine_.emplace(std::move(settings), clock_, std::move(state));
  take_snapshot();
}

void AlertKeeper::observe(const CheckResult& result) {
  std::lock_guard lock(mutex_);
  hand_over(engine_->observe(result));
}

void AlertKeeper::tick() {
  std::lock_guard lock(mutex_);
  hand_over(engine_->tick());
}

Result<nlohmann::json> AlertKeeper::ack(const std::string& id, const std::string& who,
                                        std::optional<std::chrono::seconds> duration, const std::string& comment) {
  std::lock_guard lock(mutex_);
  auto pages = engine_->ack(id, who, duration, comment);
  if (!pages) return pages.error();
  hand_over(*pages);
  for (const auto& row : engine_->list()) {
    if (row.alert.id == id || row.alert.fingerprint == id) return alerting::alerts_json({row})["alerts"][0];
  }
  return Error{ErrorKind::not_found, "alert " + id + " resolved while being acked"};
}

Result<nlohmann::json> AlertKeeper::silence(const std::string& check, const std::optional<std::string>& alert,
                                            std::chrono::seconds duration, const std::string& who,
                                            const std::string& comment) {
  if (duration.count() <= 0) return Error{ErrorKind::parse, "a silence needs a positive duration (e.g. 2h)"};
  std::lock_guard lock(mutex_);
  if (std::find(known_checks_.begin(), known_checks_.end(), check) == known_checks_.end() && check != "host") {
    std::string names;
    for (const auto& n : known_checks_) names += (names.empty() ? "" : ", ") + n;
    return Error{ErrorKind::not_found, "the watchdog runs no check named " + check + " (it runs: " + names + ")"};
  }
  std::optional<std::string> fingerprint;
  if (alert) {
    for (const auto& row : engine_->list()) {
      if (row.alert.check == check && (row.alert.id == *alert || row.alert.fingerprint == *alert)) {
        fingerprint = row.alert.fingerprint;
      }
    }
    if (!fingerprint) return Error{ErrorKind::not_found, "check " + check + " has no active alert " + *alert};
  }
  const auto until = clock_.now() + duration;
  engine_->silence(alerting::Silence{check, fingerprint, until, who, comment});
  log_("silenced " + (fingerprint ? *fingerprint : check) + " for " + std::to_string(duration.count()) + " s by " + who +
       (comment.empty() ? "" : " (" + comment + ")"));
  persist();
  return nlohmann::json{{"check", check},
                        {"fingerprint", fingerprint ? nlohmann::json(*fingerprint) : nlohmann::json(nullptr)},
                        {"until", unix_seconds(until)},
                        {"by", who},
                        {"comment", comment}};
}

nlohmann::json AlertKeeper::list() const {
  std::lock_guard lock(mutex_);
  auto out = alerting::alerts_json(engine_->list());
  out["silences"] = nlohmann::json::array();
  for (const auto& s : engine_->state().silences) {
    out["silences"].push_back({{"check", s.check},
                               {"fingerprint", s.fingerprint ? nlohmann::json(*s.fingerprint) : nlohmann::json(nullptr)},
                               {"until", unix_seconds(s.until)},
                               {"by", s.who},
                               {"comment", s.comment}});
  }
  return out;
}

void AlertKeeper::page_remedy(const std::string& fingerprint, const std::string& outcome) {
  std::lock_guard lock(mutex_);
  const auto& alerts = engine_->state().alerts;
  const auto it = alerts.find(fingerprint);
  if (it == alerts.end()) return;
  Notification page{alerting::Event::repeat, it->second, std::max(it->second.tier, 1), {}};
  page.alert.summary += " | " + outcome;
  page.alert.last_page = clock_.now();  // its own page: another Matrix txnId than the last repeat
  page.notifiers = paged_so_far(it->second);
  log_(page_line(page));
  pager_(page);
}

void AlertKeeper::refresh(const std::vector<std::string>& notifiers) {
  std::lock_guard lock(mutex_);
  for (const auto& row : engine_->list()) {
    if (row.silenced || row.alert.tier == 0) continue;
    Notification page{alerting::Event::repeat, row.alert, row.alert.tier, {}};
    for (const auto& n : paged_so_far(row.alert)) {
      if (std::find(notifiers.begin(), notifiers.end(), n) != notifiers.end()) page.notifiers.push_back(n);
    }
    if (!page.notifiers.empty()) pager_(page);  // not logged: a refresh is not a state change
  }
}

std::vector<std::string> AlertKeeper::paged_so_far(const alerting::Alert& alert) const {
  std::vector<std::string> out;
  const auto& route = alerting::route_of(alert, settings_.routes, settings_.default_route);
  for (std::size_t t = 0; t < route.tiers.size() && static_cast<int>(t) < std::max(alert.tier, 1); ++t) {
    for (const auto& n : route.tiers[t].notifiers) {
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
  }
  return out;
}

void AlertKeeper::reconfigure(alerting::EngineSettings settings, std::vector<std::string> known_checks) {
  std::lock_guard lock(mutex_);
  auto state = engine_->state();
  settings_ = settings;
  engine_.emplace(std::move(settings), clock_, std::move(state));
  known_checks_ = std::move(known_checks);
}

std::vector<prometheus::MetricFamily> AlertKeeper::Collect() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void AlertKeeper::take_snapshot() {
  prometheus::MetricFamily active{"hsops_alert_active", "1 for each alert firing now (acked or not)",
                                  prometheus::MetricType::Gauge, {}};
  prometheus::MetricFamily acked{"hsops_alert_acked", "1 if the alert is acknowledged (escalation stopped)",
                                 prometheus::MetricType::Gauge, {}};
  prometheus::MetricFamily tier{"hsops_alert_escalation_tier",
                                "the highest escalation tier paged for the alert so far (0: nobody paged yet)",
                                prometheus::MetricType::Gauge, {}};
  const auto now = clock_.now();
  for (const auto& row : engine_->list()) {
    const auto& a = row.alert;
    active.metric.push_back(gauge(1, {{"alert", a.fingerprint}, {"check", a.check},
                                      {"severity", std::string(to_string(a.severity))}}));
    acked.metric.push_back(gauge(alerting::acked_at(a, now) ? 1 : 0, {{"alert", a.fingerprint}, {"check", a.check}}));
    tier.metric.push_back(gauge(a.tier, {{"alert", a.fingerprint}, {"check", a.check}}));
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = {std::move(active), std::move(acked), std::move(tier)};
}

void AlertKeeper::hand_over(const std::vector<Notification>& pages) {
  for (const auto& page : pages) {
    log_(page_line(page));
    pager_(page);
  }
  persist();
  take_snapshot();
}

void AlertKeeper::persist() {
  const auto& state = engine_->state();
  std::string now = alerting::state_to_json(state).dump();
  if (now == saved_) return;
  auto saved = alerting::save_state(state_file_, state);
  if (!saved) {
    if (saved.error().message != save_error_) log_("cannot save alerts: " + saved.error().message);
    save_error_ = saved.error().message;
    return;
  }
  save_error_.clear();
  saved_ = std::move(now);
}

}  // namespace hsops::watchdog
