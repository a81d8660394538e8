#include "failover/follow.h"

#include <unistd.h>

#include <algorithm>

#include "failover/patroni_api.h"
#include "failover/run.h"
#include "failover/run_lock.h"
#include "failover/topology_state.h"
#include "output/textfile.h"

namespace hsops::failover {
namespace {

using std::chrono::milliseconds;

nlohmann::json optional_number(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json optional_text(const std::string& v) { return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json change_json(const FollowedChange& c) {
  return {{"from", optional_text(c.change.from)},
          {"to", c.change.to},
          {"leader_last_seen_at", c.change.last_seen_at},
          {"leader_elected_at", c.change.elected_at},
          {"followed_at", optional_number(c.followed_at)},
          {"ok", c.ok},
          {"failed_step", c.failed_step},
          {"error", c.error},
          {"patroni_seconds", c.change.patroni_seconds()},
          {"hsops_seconds", optional_number(c.hsops_seconds())},
          {"rto_seconds", optional_number(c.rto_seconds())},
          {"run_id", c.run_id},
          {"report", c.report}};
}

// The end of the last probe that passed: the moment clients were served again. A follow
// operation written without a probe ends at its last step (the report shows which).
std::optional<double> probe_end(const RunReport& report) {
  std::optional<double> end, last;
  for (const auto& s : report.steps) {
    if (s.state != StepState::done) continue;
    last = s.started_at + s.seconds;
    if (s.type == "probe") end = last;
  }
  return end ? end : last;
}

// Runs the playbook's follow operation for one change; never throws for what the servers do.
FollowedChange follow_change(const Playbook& p, const LeaderChange& change, const FollowOptions& o, const Clock& clock) {
  FollowedChange out;
  out.change = change;
  ExecuteOptions eo;
  eo.operation = "follow";
  eo.interaction.assume_yes = true;
  eo.observe_timeout = std::max(o.request_timeout, Millis(2000));
  eo.progress = o.log;
  auto done = execute(p, eo, clock);
  if (!done) {
    out.failed_step = done.error().kind == ErrorKind::busy ? "lock" : "run";
    out.error = done.error().message;
    return out;
  }
  if (!done->refusals.empty()) {
    out.failed_step = "preconditions";
    for (const auto& why : done->refusals) out.error += (out.error.empty() ? "" : "; ") + why;
    return out;
  }
  const RunReport& report = *done->report;
  out.run_id = report.run_id;
  out.report = done->report_file.string();
  out.ok = report.ok;
  out.followed_at = probe_end(report);
  for (const auto& s : report.steps) {
    if (s.type == "route.switch" && s.state == StepState::done) out.homeserver = s.node;
  }
  if (!report.ok) {
    out.followed_at.reset();
    for (const auto& s : report.steps) {
      if (s.state == StepState::failed) {
        out.failed_step = s.type;
        out.error = s.detail;
        break;
      }
    }
    if (out.failed_step.empty()) {
      out.failed_step = "budget";
      out.error = report.left_state;
    }
  }
  return out;
}

std::string describe(const FollowedChange& c) {
  const auto fixed = [](double v) { return format_duration(v); };
  std::string line = "leader changed " + c.change.from + " -> " + c.change.to + " (Patroni's part " +
                     fixed(c.change.patroni_seconds()) + ")";
  if (c.ok && c.rto_seconds() && c.hsops_seconds()) {
    return line + "; the homeserver followed: RTO " + fixed(*c.rto_seconds()) + " (hsops's part " +
           fixed(*c.hsops_seconds()) + "), report " + c.report;
  }
  if (c.ok) return line + "; the homeserver followed, report " + c.report;
  return line + "; THE HOMESERVER DID NOT FOLLOW: " + c.failed_step + " failed: " + c.error +
         (c.report.empty() ? "" : " (report " + c.report + ")");
}

// A planned switchover (`hsops failover switchover|drill`) holds the run lock and moves the
// homeserver itself: the follower only takes note.
bool moved_by_another_run(const FollowedChange& c) { return !c.ok && c.failed_step == "lock"; }

// The homeserver the route serves now, read once no run holds the lock (one that does is still
// moving it); nullopt while one does.
std::optional<std::string> serving_homeserver(const Playbook& p, Millis timeout) {
  auto idle = RunLock::take(p.state_dir / "lock", "follow (reading the route)");
  if (!idle) return std::nullopt;
  const auto now = observe(p, timeout);
  return now.roles ? now.roles->active : p.active;
}

void sleep_until_next_poll(const Clock& clock, std::chrono::steady_clock::time_point next, const std::atomic<bool>* stop) {
  while (clock.monotonic() < next && !(stop != nullptr && stop->load())) {
    clock.sleep_for(std::min<std::chrono::nanoseconds>(next - clock.monotonic(), milliseconds(100)));
  }
}

}  // namespace

std::optional<double> FollowedChange::hsops_seconds() const {
  if (!ok || !followed_at) return std::nullopt;
  return *followed_at - change.elected_at;
}

std::optional<double> FollowedChange::rto_seconds() const {
  if (!ok || !followed_at) return std::nullopt;
  return *followed_at - change.last_seen_at;
}

nlohmann::json to_json(const FollowState& s) {
  return {{"version", 1},
          {"deployment", s.deployment},
          {"pid", s.pid},
          {"updated_at", s.updated_at},
          {"poll_interval_seconds", s.poll_interval_seconds},
          {"leader", optional_text(s.leader)},
          {"no_leader_since", optional_number(s.no_leader_since)},
          {"active_homeserver", s.active_homeserver},
          {"changes", s.changes},
          {"last_change", s.last_change ? change_json(*s.last_change) : nlohmann::json(nullptr)}};
}

LeaderObservation observe_leader(const Playbook& p, Millis timeout, double now) {
  LeaderObservation o;
  o.at = now;
  auto cluster = read_patroni_cluster(p.patroni, timeout);
  if (!cluster) {
    o.problem = cluster.error().message;
    return o;
  }
  o.leader = patroni_leader(cluster.value());
  if (o.leader.empty()) {
    o.problem = "Patroni's /cluster shows no single running leader";
    return o;
  }
  const std::string url = patroni_url_of(p.patroni, cluster.value(), o.leader);
  o.leader_answers = !url.empty() && patroni_answers_primary(p.patroni, url, timeout);
  if (!o.leader_answers) o.problem = "the leader " + o.leader + " in /cluster does not answer GET /primary with 200";
  return o;
}

Result<bool> follow_leader(const Playbook& p, const FollowOptions& o, const Clock& clock) {
  if (p.backend != Backend::patroni) {
    return Error{ErrorKind::config, p.file + ": follow needs `database.backend: patroni` (Patroni elects the leader; "
                                    "without it, failing over is `hsops failover promote`)"};
  }
  std::error_code ec;
  std::filesystem::create_directories(p.state_dir, ec);
  auto lock = RunLock::take(p.state_dir / "follow.lock", "follow");
  if (!lock) return lock.error();
  const auto log = [&](const std::string& line) { if (o.log) o.log(line); };

  FollowState state;
  state.deployment = p.name;
  state.pid = static_cast<long>(::getpid());
  state.poll_interval_seconds = std::chrono::duration<double>(o.poll_interval).count();
  // Which homeserver serves now (the route's view), as a switchover would resolve it.
  const auto at_start = observe(p, std::max(o.request_timeout, Millis(2000)));
  state.active_homeserver = at_start.roles ? at_start.roles->active : p.active;
  LeaderWatch watch;
  std::string written;
  double last_write = 0;
  bool had_leader = false;
  bool reread_active = false;
  auto next_reread = clock.monotonic();
  log("following the Patroni leader for " + p.name + " (poll every " + format_duration(state.poll_interval_seconds) +
      "; state " + (p.state_dir / "follow.json").string() + ")");

  while (!(o.stop != nullptr && o.stop->load())) {
    const auto next = clock.monotonic() + o.poll_interval;
    const auto seen = observe_leader(p, o.request_timeout, unix_seconds(clock.now()));
    if (auto change = watch.observe(seen)) {
      log("leader changed " + change->from + " -> " + change->to + ": moving the homeserver (follow)");
      auto followed = follow_change(p, *change, o, clock);
      if (moved_by_another_run(followed)) {
        log("not following: " + followed.error + " (that run moves the homeserver itself)");
        reread_active = true;
      } else {
        log(describe(followed));
        if (!followed.homeserver.empty()) state.active_homeserver = followed.homeserver;
        ++state.changes;
        state.last_change = std::move(followed);
      }
    }
    // After another run moved things, which homeserver serves is read again once it is done.
    if (reread_active && clock.monotonic() >= next_reread) {
      if (auto active = serving_homeserver(p, std::max(o.request_timeout, Millis(2000)))) {
        state.active_homeserver = *active;
        reread_active = false;
      } else {
        next_reread = clock.monotonic() + std::chrono::seconds(5);
      }
    }
    const bool has_leader = watch.leader_usable() && !watch.leader().empty();
    if (had_leader && !has_leader) log("no usable leader: " + seen.problem);
    if (!had_leader && has_leader) log("leader " + watch.leader());
    had_leader = has_leader;
    state.leader = has_leader ? watch.leader() : "";
    state.no_leader_since = watch.no_leader_since();
    const double now = unix_seconds(clock.now());
    state.updated_at = now;
    // Written on every change and at least every 5 s: the check judges the heartbeat's age.
    auto body = to_json(state);
    body.erase("updated_at");
    const std::string fingerprint = body.dump();
    if (fingerprint != written || now - last_write >= 5) {
      if (auto w = output::write_file_atomically(p.state_dir / "follow.json", to_json(state).dump(2) + "\n"); !w) {
        log("cannot write " + (p.state_dir / "follow.json").string() + ": " + w.error().message);
      }
      written = fingerprint;
      last_write = now;
    }
    sleep_until_next_poll(clock, next, o.stop);
  }
  log("stopped");
  return true;
}

}  // namespace hsops::failover
