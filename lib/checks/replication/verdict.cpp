#include "checks/replication/verdict.h"

#include "core/units.h"

namespace hsops::checks::replication {
namespace {

Verdict by_lag(const std::string& who, std::optional<double> bytes, std::optional<double> seconds, const Thresholds& t) {
  Verdict v;
  auto raise = [&](Status s, const std::string& why) {
    if (worst(v.status, s) == s && s != v.status) v = {s, who + " " + why};
  };
  const double b = bytes.value_or(0);
  const double s = seconds.value_or(0);
  if (b > static_cast<double>(t.warn_lag_bytes)) raise(Status::warning, format_bytes(b) + " behind");
  if (s > static_cast<double>(t.warn_lag.count())) raise(Status::warning, format_duration(s) + " behind");
  if (b > static_cast<double>(t.crit_lag_bytes)) raise(Status::critical, format_bytes(b) + " behind");
  if (s > static_cast<double>(t.crit_lag.count())) raise(Status::critical, format_duration(s) + " behind");
  return v;
}

}  // namespace

const Sender* find_sender(const std::vector<Sender>& senders, const std::string& name) {
  for (const auto& s : senders) {
    if (s.application_name == name || (!s.slot_name.empty() && s.slot_name == name)) return &s;
  }
  return nullptr;
}

Verdict judge_sender(const std::string& name, const Sender* sender, const Thresholds& t) {
  const std::string who = "standby '" + name + "'";
  if (sender == nullptr) return {Status::critical, who + " is not connected (no row in pg_stat_replication)"};
  if (sender->state != "streaming") {
    Verdict lag = by_lag(who, sender->lag_bytes, sender->lag_seconds, t);
    if (lag.status == Status::critical) return lag;
    return {Status::warning, who + " is " + (sender->state.empty() ? "in an unknown state" : sender->state) +
                                 ", not streaming"};
  }
  Verdict lag = by_lag(who, sender->lag_bytes, sender->lag_seconds, t);
  // A hung standby keeps its row until wal_sender_timeout; its silence shows first. Healthy
  // standbys reply every wal_receiver_status_interval (10 s) even when idle.
  const double silent = sender->reply_age_seconds.value_or(0);
  const std::string quiet = who + " silent for " + format_duration(silent) + " (no reply)";
  if (silent > static_cast<double>(t.crit_lag.count())) return {Status::critical, quiet};
  if (silent > static_cast<double>(t.warn_lag.count()) && lag.status == Status::ok) return {Status::warning, quiet};
  return lag;
}

Verdict judge_count(std::size_t connected, std::size_t wanted) {
  if (connected >= wanted) return {};
  return {Status::critical, std::to_string(connected) + " standby(s) connected, " + std::to_string(wanted) + " expected"};
}

Verdict judge_standby(const StandbyView& v, const Thresholds& t) {
  const std::string who = "standby '" + v.name + "'";
  if (!v.in_recovery) return {Status::critical, who + " is not in recovery: it was promoted (two primaries?)"};
  if (!v.receiver_status) return {Status::critical, who + " has no WAL receiver: not replicating"};
  if (*v.receiver_status != "streaming") {
    return {Status::warning, who + " WAL receiver is " + *v.receiver_status + ", not streaming"};
  }
  const bool replay_pending = v.replay_lag_bytes.value_or(0) > 0;
  // Built step by step: GCC 12 at -O2 flags the ?: form as maybe-uninitialized (false positive).
  std::optional<double> age;
  if (replay_pending) age = v.replay_age_seconds;
  const double behind = v.receive_lag_bytes.value_or(0) + v.replay_lag_bytes.value_or(0);
  return by_lag(who, behind, age, t);
}

std::vector<std::string> advice_for_missing(const std::string& name, const std::string& slot_hint) {
  std::vector<std::string> lines{
      "advice: standby '" + name + "' is not streaming from the primary: on the standby host check that PostgreSQL "
      "runs (`systemctl status postgresql`, its log), that primary_conninfo reaches the primary and that pg_hba.conf "
      "allows replication; the primary's log shows refused replication connections"};
  if (!slot_hint.empty()) {
    lines.push_back("advice: while it is away, slot '" + slot_hint +
                    "' keeps WAL on the primary (see `hsops check wal` for how long until that disk is full)");
  }
  return lines;
}

}  // namespace hsops::checks::replication
