// Actions that run commands (lib/exec, under the step's deadline) or talk to haproxy.
#include "failover/actions.h"

#include "failover/marker.h"

#include <thread>

#include "exec/exec.h"
#include "failover/haproxy_runtime.h"
#include "failover/patroni_actions.h"
#include "failover/run_command.h"
#include "net/http.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

class HomeserverControl final : public Action {
 public:
  HomeserverControl(const HomeserverNode& node, bool start) : node_(node), start_(start) {}

  Result<ActionResult> run(Steady::time_point deadline) override { return start_ ? start(deadline) : stop(deadline); }
  bool can_undo() const override { return true; }
  Result<ActionResult> undo(const ActionResult&, Steady::time_point deadline) override {
    return start_ ? stop(deadline) : start(deadline);
  }

 private:
  // A stop command may fail on a homeserver that is already stopped (a resumed run, a
  // rollback): that is stopped when it no longer answers.
  Result<ActionResult> stop(Steady::time_point deadline) {
    auto stopped = run_control(node_.stop, "stop", deadline);
    if (stopped || answers(deadline, Millis(2000))) return stopped;
    return ActionResult{node_.name + " does not answer: already stopped (" + stopped.error().message + ")", {}};
  }

  // Started means serving: /_matrix/client/versions answers 200 before the deadline. A start
  // command failing on one that already serves (a resumed run) is not a failure.
  Result<ActionResult> start(Steady::time_point deadline) {
    auto started = run_control(node_.start, "start", deadline);
    if (!started && !answers(deadline, Millis(2000))) return started;
    std::string last = "no answer";
    while (Steady::now() < deadline) {
      if (answers(deadline, Millis(5000), &last)) return ActionResult{node_.name + " serves " + versions_url(), {}};
      std::this_thread::sleep_for(std::min(left(deadline), Millis(250)));
    }
    return Error{ErrorKind::timeout, node_.name + " was started but " + versions_url() + " did not answer in time (" + last + ")"};
  }

  std::string versions_url() const { return node_.url + "/_matrix/client/versions"; }

  // One GET of /_matrix/client/versions: 200 means it serves.
  bool answers(Steady::time_point deadline, Millis total, std::string* last = nullptr) const {
    auto r = net::get(versions_url(), net::Deadlines{std::min(left(deadline), Millis(2000)), std::min(left(deadline), total)});
    if (last != nullptr) *last = r ? "HTTP " + std::to_string(r->status) : r.error().message;
    return r && r->status == 200;
  }

  const HomeserverNode& node_;
  bool start_;
};

// Clients to `to`: with haproxy, `to` ready first and then the other in maintenance, so there
// is no moment without a server; undo is the same towards the other one.
class RouteSwitch final : public Action {
 public:
  RouteSwitch(const Playbook& p, std::string to, std::string from) : p_(p), to_(std::move(to)), from_(std::move(from)) {}

  Result<ActionResult> run(Steady::time_point deadline) override { return send_to(to_, from_, deadline); }
  bool can_undo() const override { return true; }
  Result<ActionResult> undo(const ActionResult&, Steady::time_point deadline) override { return send_to(from_, to_, deadline); }

 private:
  Result<ActionResult> send_to(const std::string& to, const std::string& from, Steady::time_point deadline) {
    if (p_.route.exec) return run_argv(p_.route.exec->to.at(to), std::min(deadline, Steady::now() + p_.route.exec->deadline));
    const auto& h = *p_.route.haproxy;
    if (auto r = set_server_state(h.socket, h.backend, h.servers.at(to), "ready", left(deadline)); !r) return r.error();
    if (auto r = set_server_state(h.socket, h.backend, h.servers.at(from), "maint", left(deadline)); !r) return r.error();
    return ActionResult{"haproxy " + h.backend + ": " + h.servers.at(to) + " ready, " + h.servers.at(from) + " in maintenance",
                        {{"to", to}}};
  }

  const Playbook& p_;
  std::string to_, from_;
};

class ExecStep final : public Action {
 public:
  explicit ExecStep(const StepSpec& s) : step_(s) {}
  Result<ActionResult> run(Steady::time_point deadline) override { return run_argv(step_.command, deadline); }
  bool can_undo() const override { return !step_.undo_command.empty(); }
  Result<ActionResult> undo(const ActionResult&, Steady::time_point deadline) override {
    return run_argv(step_.undo_command, deadline);
  }

 private:
  const StepSpec& step_;
};

class WaitStep final : public Action {
 public:
  explicit WaitStep(Millis how_long) : how_long_(how_long) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    if (Steady::now() + how_long_ > deadline) return Error{ErrorKind::config, "the wait is longer than the step's deadline"};
    std::this_thread::sleep_for(how_long_);
    return ActionResult{"waited " + std::to_string(how_long_.count()) + " ms", {}};
  }

 private:
  Millis how_long_;
};

}  // namespace

std::unique_ptr<Action> make_action(const StepSpec& step, const Roles& roles, const Playbook& playbook, RunState& state,
                                    const Clock* clock, const Interaction* interaction) {
  const std::string node = roles.node_for(step.node_role);
  if (step.type.rfind("patroni.", 0) == 0) {
    // The step's node is the candidate; the other node leads now.
    return make_patroni_action(step, playbook, node == roles.primary ? roles.standby : roles.primary, node);
  }
  if (step.type.rfind("pg.", 0) == 0) {
    const std::string other = node == roles.primary ? roles.standby : roles.primary;
    if (playbook.databases.count(node) == 0 || playbook.databases.count(other) == 0) return nullptr;
    const auto& here = playbook.databases.at(node);
    const auto& there = playbook.databases.at(other);
    if (step.type == "pg.check_replication") {
      return node == roles.standby ? make_check_replication(step, there, here, playbook) : make_check_replication(step, here, there, playbook);
    }
    return make_pg_action(step, here, there, state);
  }
  if (step.type == "probe") return clock != nullptr ? make_probe(playbook, *clock) : nullptr;
  if (step.type == "marker.write") return clock != nullptr ? make_marker_write(playbook, *clock) : nullptr;
  if (step.type == "marker.check") return clock != nullptr ? make_marker_check(playbook, *clock) : nullptr;
  if (step.type == "confirm") return interaction != nullptr ? make_confirm(step, roles, *interaction) : nullptr;
  if (step.type == "homeserver.stop" || step.type == "homeserver.start") {
    if (playbook.homeservers.count(node) == 0) return nullptr;
    return std::make_unique<HomeserverControl>(playbook.homeservers.at(node), step.type == "homeserver.start");
  }
  if (step.type == "route.switch") {
    const std::string other = node == roles.active ? roles.spare : roles.active;
    return std::make_unique<RouteSwitch>(playbook, node, other);
  }
  if (step.type == "exec") return std::make_unique<ExecStep>(step);
  if (step.type == "wait") {
    auto how_long = parse_duration(step.params.count("for") ? step.params.at("for") : "0s");
    return std::make_unique<WaitStep>(how_long ? how_long.value() : Millis(0));
  }
  return nullptr;
}

}  // namespace hsops::failover
