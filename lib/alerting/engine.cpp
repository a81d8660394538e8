#include "alerting/engine.h"

#include <algorithm>
#include <set>

#include "alerting/escalation.h"

namespace hsops::alerting {
namespace {

Notification notice(Event event, const Alert& alert, std::vector<std::string> notifiers) {
  return Notification{event, alert, alert.tier, std::move(notifiers)};
}

bool silence_covers(const Silence& s, const Alert& alert, TimePoint now) {
  if (now >= s.until || s.check != alert.check) return false;
  return !s.fingerprint || *s.fingerprint == alert.fingerprint || *s.fingerprint == alert.id;
}

}  // namespace

AlertEngine::AlertEngine(EngineSettings settings, const Clock& clock, EngineState state)
    : settings_(std::move(settings)), clock_(&clock), state_(std::move(state)) {}

std::vector<Notification> AlertEngine::observe(const CheckResult& result) {
  const TimePoint now = clock_->now();
  std::vector<Notification> out;
  std::set<std::string> failing;
  for (const auto& failure : failures_of(result)) {
    failing.insert(failure.fingerprint);
    if (auto it = state_.alerts.find(failure.fingerprint); it != state_.alerts.end()) {
      refail(it->second, failure, result.summary, now);
      continue;
    }
    auto [it, added] = state_.pending.try_emplace(failure.fingerprint, Pending{result.check, failure, {}, now});
    it->second.failure = failure;
    it->second.summary = result.summary;
    if (now - it->second.since >= for_duration(settings_, result.check)) fire(result.check, it->second, now, out);
  }
  std::erase_if(state_.pending,
                [&](const auto& p) { return p.second.check == result.check && !failing.contains(p.first); });
  std::vector<std::string> recovered;  // resolve() erases, so not while iterating
  for (auto& [fingerprint, alert] : state_.alerts) {
    if (alert.check == result.check && !failing.contains(fingerprint) && recover(alert, now)) {
      recovered.push_back(fingerprint);
    }
  }
  for (const auto& fingerprint : recovered) resolve(fingerprint, now, out);
  settle(now, out);
  return out;
}

std::vector<Notification> AlertEngine::tick() {
  const TimePoint now = clock_->now();
  std::vector<Notification> out;
  std::vector<Pending> due;
  for (const auto& [fingerprint, pending] : state_.pending) {
    if (now - pending.since >= for_duration(settings_, pending.check)) due.push_back(pending);
  }
  for (const auto& pending : due) fire(pending.check, pending, now, out);
  settle(now, out);
  return out;
}

void AlertEngine::fire(const std::string& check, const Pending& pending, TimePoint now,
                       std::vector<Notification>& out) {
  const Failure failure = pending.failure;  // `pending` may live in the map erased below
  Alert alert;
  alert.fingerprint = failure.fingerprint;
  alert.id = short_id(failure.fingerprint);
  alert.check = check;
  alert.labels = failure.labels;
  alert.severity = failure.severity;
  alert.summary = pending.summary;
  alert.route = choose_route(settings_.routes, settings_.default_route, check, failure.severity).name;
  alert.fired_at = now;
  alert.escalation_base = now;
  // A flip too many: this firing still pages once (marked flapping), the flips after it do not.
  alert.flapping = record_flip(state_.flips, failure.fingerprint, now, settings_.flap);
  state_.pending.erase(failure.fingerprint);
  auto& stored = state_.alerts.insert_or_assign(failure.fingerprint, alert).first->second;
  page_due(stored, now, out);
}

void AlertEngine::refail(Alert& alert, const Failure& failure, const std::string& summary, TimePoint now) {
  alert.severity = failure.severity;
  alert.summary = summary;
  if (alert.flapping && alert.ok_since) {
    alert.ok_since.reset();
    record_flip(state_.flips, alert.fingerprint, now, settings_.flap);
  }
}

bool AlertEngine::recover(Alert& alert, TimePoint now) {
  if (alert.flapping) {
    if (!alert.ok_since) {
      alert.ok_since = now;
      record_flip(state_.flips, alert.fingerprint, now, settings_.flap);
    }
    return false;
  }
  if (record_flip(state_.flips, alert.fingerprint, now, settings_.flap)) {
    alert.flapping = true;  // held, not resolved: it must stay OK for the hold time first
    alert.ok_since = now;
    return false;
  }
  return true;
}

void AlertEngine::resolve(const std::string& fingerprint, TimePoint now, std::vector<Notification>& out) {
  const auto it = state_.alerts.find(fingerprint);
  if (it == state_.alerts.end()) return;
  const Alert& alert = it->second;
  if (alert.tier > 0 && !silenced(alert, now)) out.push_back(notice(Event::resolved, alert, paged_notifiers(alert, route(alert))));
  if (alert.flapping) state_.flips.erase(fingerprint);
  state_.alerts.erase(it);
}

void AlertEngine::settle(TimePoint now, std::vector<Notification>& out) {
  end_silences(now);
  prune_flips(state_.flips, now, settings_.flap);
  std::vector<std::string> held_long_enough;
  for (auto& [fingerprint, alert] : state_.alerts) {
    if (alert.flapping && alert.ok_since && now - *alert.ok_since >= settings_.flap.hold) {
      held_long_enough.push_back(fingerprint);
      continue;
    }
    expire_ack(alert, now, out);
    page_due(alert, now, out);
  }
  for (const auto& fingerprint : held_long_enough) resolve(fingerprint, now, out);
}

void AlertEngine::end_silences(TimePoint now) {
  std::vector<Silence> ended;
  std::erase_if(state_.silences, [&](const Silence& s) {
    if (now < s.until) return false;
    ended.push_back(s);
    return true;
  });
  // Escalation was frozen while silenced: it resumes from the silence's end, not the last tick.
  for (const auto& s : ended) {
    for (auto& [fingerprint, alert] : state_.alerts) {
      if (silence_covers(s, alert, s.until - std::chrono::milliseconds{1}) && !silenced(alert, now)) {
        restart_escalation(alert, route(alert), s.until);
      }
    }
  }
}

void AlertEngine::expire_ack(Alert& alert, TimePoint now, std::vector<Notification>& out) {
  if (!alert.ack || !alert.ack->until || now < *alert.ack->until) return;
  alert.ack.reset();
  restart_escalation(alert, route(alert), now);
  if (alert.tier == 0 || silenced(alert, now)) return;
  alert.last_page = now;  // the ack ran out and it still fires: remind everyone paged
  out.push_back(notice(Event::repeat, alert, paged_notifiers(alert, route(alert))));
}

void AlertEngine::page_due(Alert& alert, TimePoint now, std::vector<Notification>& out) {
  if (acked_at(alert, now)) return;
  const Route& r = route(alert);
  if (silenced(alert, now)) {
    restart_escalation(alert, r, now);  // frozen: escalation picks up where it was when the silence ends
    return;
  }
  for (auto due = next_tier_due(alert, r); due && *due <= now; due = next_tier_due(alert, r)) {
    ++alert.tier;
    alert.last_page = now;
    const auto& notifiers = r.tiers[static_cast<std::size_t>(alert.tier - 1)].notifiers;
    out.push_back(notice(alert.tier == 1 ? Event::firing : Event::escalated, alert, notifiers));
  }
  if (const auto due = next_repeat_due(alert, r, settings_); due && *due <= now) {
    alert.last_page = now;
    out.push_back(notice(Event::repeat, alert, paged_notifiers(alert, r)));
  }
}

Result<std::vector<Notification>> AlertEngine::ack(std::string_view id, const std::string& who,
                                                   std::optional<std::chrono::seconds> duration,
                                                   const std::string& comment) {
  const TimePoint now = clock_->now();
  std::vector<Alert*> found;
  for (auto& [fingerprint, alert] : state_.alerts) {
    if (alert.id == id || fingerprint == id) found.push_back(&alert);
  }
  if (found.empty()) return Error{ErrorKind::not_found, "no active alert has the id " + std::string(id)};
  if (found.size() > 1) {
    return Error{ErrorKind::config, "the id " + std::string(id) + " names " + std::to_string(found.size()) +
                                        " alerts; ack by fingerprint instead"};
  }
  Alert& alert = *found.front();
  alert.ack = Ack{who, now, duration ? std::optional<TimePoint>(now + *duration) : std::nullopt, comment};
  std::vector<Notification> out;
  if (alert.tier > 0 && !silenced(alert, now)) out.push_back(notice(Event::acked, alert, paged_notifiers(alert, route(alert))));
  return out;
}

void AlertEngine::silence(Silence silence) { state_.silences.push_back(std::move(silence)); }

std::vector<ListedAlert> AlertEngine::list() const {
  const TimePoint now = clock_->now();
  std::vector<ListedAlert> rows;
  for (const auto& [fingerprint, alert] : state_.alerts) {
    ListedAlert row{alert, silenced(alert, now), std::nullopt};
    if (acked_at(alert, now)) {
      row.next_page = alert.ack->until;
    } else if (!row.silenced) {
      row.next_page = next_page(alert, route(alert), settings_);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool AlertEngine::silenced(const Alert& alert, TimePoint now) const {
  return std::any_of(state_.silences.begin(), state_.silences.end(),
                     [&](const Silence& s) { return silence_covers(s, alert, now); });
}

const Route& AlertEngine::route(const Alert& alert) const {
  return route_of(alert, settings_.routes, settings_.default_route);
}

}  // namespace hsops::alerting
