#include "checks/replication/report.h"

#include <cmath>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::replication {
namespace {

Measurement figure(const std::string& standby, const std::string& what, double value, std::string unit,
                   std::string metric, std::string help) {
  return measurement(standby + " " + what, value, std::move(unit), std::move(metric), std::move(help), {{"standby", standby}});
}

void sender_figures(const std::string& name, const std::optional<Sender>& s, std::vector<Measurement>& out) {
  out.push_back(figure(name, "connected", s ? 1 : 0, "", "hsops_pg_standby_connected",
                       "1 if the standby has a row in the primary's pg_stat_replication"));
  if (!s) return;
  out.push_back(figure(name, "lag", s->lag_bytes.value_or(0), "B", "hsops_pg_replication_lag_bytes",
                       "WAL bytes the standby has not replayed yet (primary's position - replay_lsn)"));
  out.push_back(figure(name, "lag_time", s->lag_seconds.value_or(0), "s", "hsops_pg_replication_lag_seconds",
                       "replay_lag from pg_stat_replication (0 when caught up and idle)"));
  if (s->reply_age_seconds) {
    out.push_back(figure(name, "reply_age", *s->reply_age_seconds, "s", "hsops_pg_replication_reply_age_seconds",
                         "Seconds since the standby's last status message (reply_time)"));
  }
}

void view_figures(const StandbyView& v, std::vector<Measurement>& out) {
  out.push_back(figure(v.name, "in_recovery", v.in_recovery ? 1 : 0, "", "hsops_pg_standby_in_recovery",
                       "1 if the standby is in recovery (0: it was promoted)"));
  out.push_back(figure(v.name, "streaming", v.receiver_status == "streaming" ? 1 : 0, "", "hsops_pg_standby_streaming",
                       "1 if the standby's WAL receiver is streaming"));
  if (v.receive_lag_bytes) {
    out.push_back(figure(v.name, "receive_lag", *v.receive_lag_bytes, "B", "hsops_pg_standby_receive_lag_bytes",
                         "WAL bytes the standby has not received yet (primary's position - receive LSN)"));
  }
  if (v.replay_lag_bytes) {
    out.push_back(figure(v.name, "replay_lag", *v.replay_lag_bytes, "B", "hsops_pg_standby_replay_lag_bytes",
                         "WAL bytes received but not replayed on the standby"));
  }
  if (v.replay_age_seconds) {
    out.push_back(figure(v.name, "replay_age", *v.replay_age_seconds, "s", "hsops_pg_standby_replay_age_seconds",
                         "Seconds since the last replayed transaction's commit (grows on an idle primary)"));
  }
}

std::string sender_line(const std::string& name, const Sender& s, const Verdict& v) {
  std::string line = name + " [" + std::string(to_string(v.status)) + "] " + s.state + " " + s.sync_state + " from " +
                     s.client_addr + " (application_name " + s.application_name +
                     (s.slot_name.empty() ? ", no slot" : ", slot " + s.slot_name) + "): replay " +
                     format_bytes(s.lag_bytes.value_or(0)) + " / " + format_duration(s.lag_seconds.value_or(0)) +
                     " behind, flush " + format_bytes(s.flush_lag_bytes.value_or(0)) + " behind";
  if (s.reply_age_seconds) line += ", last reply " + format_duration(*s.reply_age_seconds) + " ago";
  return line;
}

std::string view_line(const StandbyView& v, const Verdict& verdict) {
  std::string line = v.name + " itself [" + std::string(to_string(verdict.status)) + "]: " +
                     (v.in_recovery ? "in recovery" : "NOT in recovery") + ", WAL receiver " +
                     v.receiver_status.value_or("not running");
  if (v.receive_lag_bytes) line += ", received up to " + format_bytes(*v.receive_lag_bytes) + " behind the primary";
  if (v.replay_lag_bytes) line += ", " + format_bytes(*v.replay_lag_bytes) + " received but not replayed";
  if (v.replay_age_seconds) line += ", last replayed commit " + format_duration(*v.replay_age_seconds) + " ago";
  return line;
}

}  // namespace

std::string sender_label(const Sender& s) { return s.slot_name.empty() ? s.application_name : s.slot_name; }

CheckResult build_result(const Report& r) {
  CheckResult out;
  out.check = "replication";
  std::vector<Verdict> verdicts{r.self_verdict, r.count};
  for (const auto& e : r.expected) {
    verdicts.push_back(e.from_primary);
    verdicts.push_back(e.from_itself);
  }
  Status status = Status::ok;
  for (const auto& v : verdicts) status = worst(status, v.status);
  std::string summary;
  for (const auto& v : verdicts) {
    if (v.status == status && !v.reason.empty()) summary += (summary.empty() ? "" : "; ") + v.reason;
  }
  out.status = status;

  if (r.self) {
    view_figures(*r.self, out.measurements);
    out.details.push_back(view_line(*r.self, r.self_verdict));
    out.summary = summary.empty() ? r.server + " is a standby, streaming" : summary;
    return out;
  }
  std::size_t connected = r.others.size();
  for (const auto& e : r.expected) {
    connected += e.sender ? 1 : 0;
    sender_figures(e.name, e.sender, out.measurements);
    if (e.view) view_figures(*e.view, out.measurements);
    if (e.sender) {
      out.details.push_back(sender_line(e.name, *e.sender, e.from_primary));
    } else {
      out.details.push_back(e.name + " [CRITICAL] no row in pg_stat_replication: not connected to " + r.server);
      std::string slot;
      for (const auto& s : r.primary.inactive_slots) {
        if (s == e.name) slot = s;
      }
      if (slot.empty() && r.primary.inactive_slots.size() == 1) slot = r.primary.inactive_slots.front();
      for (auto& line : advice_for_missing(e.name, slot)) out.details.push_back(std::move(line));
    }
    if (e.view) out.details.push_back(view_line(*e.view, e.from_itself));
    else if (e.checked_itself) out.details.push_back(e.name + " itself [" + std::string(to_string(e.from_itself.status)) + "]: " + e.from_itself.reason);
  }
  for (const auto& s : r.others) {
    sender_figures(sender_label(s), s, out.measurements);
    out.details.push_back(sender_line(sender_label(s), s, Verdict{}) + " (not in checks.replication.standbys)");
  }
  for (const auto& s : r.primary.inactive_slots) out.details.push_back("inactive physical slot " + s + " (see hsops check wal)");
  const std::string overview = std::to_string(connected) + " standby(s) connected to " + r.server;
  out.summary = summary.empty() ? overview : summary;
  if (summary.empty()) {
    double worst_lag = 0;
    for (const auto& e : r.expected) worst_lag = std::max(worst_lag, e.sender ? e.sender->lag_bytes.value_or(0) : 0);
    for (const auto& s : r.others) worst_lag = std::max(worst_lag, s.lag_bytes.value_or(0));
    if (connected > 0) out.summary += ", max lag " + format_bytes(worst_lag);
  }
  return out;
}

}  // namespace hsops::checks::replication
