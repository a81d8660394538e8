// From gathered figures to one line an on-call admin can act on: the worst problem first, per
// appservice, and every figure as a metric labelled by appservice id.
#include <algorithm>

#include "checks/appservice/check.h"
#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::appservice {
namespace {

Measurement figure(std::string label, double value, std::string unit, std::string metric, std::string id, std::string help,
                   const std::optional<Range>& warning = std::nullopt, const std::optional<Range>& critical = std::nullopt) {
  std::map<std::string, std::string> labels;
  if (!id.empty()) labels = {{"appservice", std::move(id)}};
  Measurement m = measurement(std::move(label), value, std::move(unit), std::move(metric), std::move(help), std::move(labels));
  m.warning = warning;
  m.critical = critical;
  m.min = 0;
  return m;
}

struct Problems {
  Status status = Status::ok;
  std::vector<std::pair<Status, std::string>> items;
  void add(Status s, std::string text) {
    status = worst(status, s);
    items.emplace_back(s, std::move(text));
  }
  std::string text() const {
    auto sorted = items;
    const auto rank = [](Status s) { return s == Status::critical ? 3 : s == Status::warning ? 2 : s == Status::unknown ? 1 : 0; };
    std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) { return rank(a.first) > rank(b.first); });
    std::string out;
    for (const auto& [s, t] : sorted) {
      if (s == Status::ok) continue;
      out += (out.empty() ? "" : "; ") + t;
    }
    return out;
  }
};

// Adds the measurement and, if a threshold fires, a problem naming it.
void judge(CheckResult& r, Problems& p, Measurement m, const std::string& what) {
  const Status s = evaluate(m);
  if (s != Status::ok) p.add(s, what);
  r.measurements.push_back(std::move(m));
}

}  // namespace

CheckResult build_appservice_result(const Report& report, const Thresholds& t) {
  CheckResult r;
  r.check = "appservice";
  Problems problems;
  std::vector<std::string> fine;
  for (const auto& e : report.load_errors) problems.add(Status::unknown, "registration unreadable: " + e);
  for (const auto& svc : report.services) {
    const auto& p = svc.ping;
    const Status ping_st = ping_status(p.kind);
    r.measurements.push_back(figure(svc.id + " ping_ok", p.kind == PingKind::ok ? 1 : 0, "", "hsops_appservice_ping_success",
                                    svc.id, "1 if the homeserver reached the appservice in the last ping, else 0"));
    r.details.push_back(svc.id + ": ping " + ping_kind_name(p.kind) + " after " + format_duration(p.seconds) +
                        (p.detail.empty() ? "" : " (" + p.detail + ")"));
    if (p.kind == PingKind::ok && p.appservice_seconds) {
      const double s = *p.appservice_seconds;
      judge(r, problems,
            figure(svc.id + " ping", s, "s", "hsops_appservice_ping_duration_seconds", svc.id,
                   "seconds the homeserver's ping call to the appservice took (its duration_ms)", t.ping_warning, t.ping_critical),
            svc.id + ": homeserver -> appservice ping took " + format_duration(s));
      fine.push_back(svc.id + ": ping " + format_duration(s));
    } else if (p.kind == PingKind::hangs) {
      problems.add(ping_st, svc.id + ": " + p.detail);
    } else {
      problems.add(ping_st, svc.id + ": ping " + ping_kind_name(p.kind) + (p.detail.empty() ? "" : " (" + p.detail + ")"));
    }
    if (!report.delivery) continue;
    const auto it = report.delivery->by_id.find(svc.id);
    const DeliveryState d = it == report.delivery->by_id.end() ? DeliveryState{} : it->second;
    r.measurements.push_back(figure(svc.id + " up", d.down ? 0 : 1, "", "hsops_appservice_up", svc.id,
                                    "0 when Synapse has marked the appservice down (application_services_state), else 1"));
    if (d.down) problems.add(Status::critical, svc.id + ": Synapse marks it down");
    judge(r, problems,
          figure(svc.id + " pending", static_cast<double>(d.pending), "", "hsops_appservice_pending_transactions", svc.id,
                 "transactions Synapse holds for the appservice, not yet accepted by it", t.pending_warning, t.pending_critical),
          svc.id + ": " + std::to_string(d.pending) + " pending transactions");
    const double age = d.oldest_pending_age.value_or(0);
    judge(r, problems,
          figure(svc.id + " oldest_pending", age, "s", "hsops_appservice_oldest_pending_transaction_age_seconds", svc.id,
                 "seconds since the oldest event in a pending transaction was received (0 when none)", t.oldest_warning,
                 t.oldest_critical),
          svc.id + ": oldest pending transaction waits " + format_duration(age));
    if (d.pending > 0 && !d.down) fine.push_back(svc.id + ": " + std::to_string(d.pending) + " pending");
  }
  if (report.delivery && report.delivery->sender_lag_events) {
    const double lag = *report.delivery->sender_lag_events;
    judge(r, problems,
          figure("sender_lag", lag, "", "hsops_appservice_sender_lag_events", "",
                 "events Synapse's appservice sender is behind the event stream", t.lag_warning, t.lag_critical),
          "appservice sender is " + std::to_string(static_cast<long long>(lag)) + " events behind");
  }
  if (report.database_error) problems.add(report.database_error_status, *report.database_error);
  for (const auto& f : report.lint) problems.add(f.status, f.appservice + ": " + f.text);
  r.measurements.push_back(figure("lint_problems", static_cast<double>(report.lint.size()), "",
                                  "hsops_appservice_registration_problems", "",
                                  "problems the registration lint found (url, namespaces, duplicate ids/tokens)"));
  for (const auto& f : report.lint) r.details.push_back("lint " + std::string(to_string(f.status)) + ": " + f.appservice + ": " + f.text);

  if (report.services.empty() && report.load_errors.empty()) {
    r.status = Status::unknown;
    r.summary = "no appservice registrations to check";
    return r;
  }
  r.status = problems.status;
  if (r.status == Status::ok) {
    std::string s;
    for (const auto& f : fine) s += (s.empty() ? "" : ", ") + f;
    if (report.delivery) s += report.services.size() == 1 ? ", up, none pending" : "; all up, none stuck";
    r.summary = s;
  } else {
    r.summary = problems.text();
  }
  return r;
}

}  // namespace hsops::checks::appservice
