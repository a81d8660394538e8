// Both steps poll GET /cluster under the step's deadline: Patroni's view changes in its own
// loop (loop_wait), so one read right after a change proves nothing.
#include "failover/patroni_actions.h"

#include <thread>

#include "checks/patroni/verdict.h"
#include "failover/patroni_api.h"
#include "failover/run_command.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;
namespace pc = checks::patroni;

constexpr Millis kPoll{500};

std::string joined(const std::vector<std::string>& reasons) {
  std::string out;
  for (const auto& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

// The request's own budget: what is left of the step, at most 10 s for a read.
Millis read_budget(Steady::time_point deadline) { return std::max(Millis(1), std::min(left(deadline), Millis(10000))); }

class PatroniCheck final : public Action {
 public:
  PatroniCheck(const Playbook& p, std::string leader, std::string candidate)
      : p_(p), leader_(std::move(leader)), candidate_(std::move(candidate)) {}

  // A replica that just re-joined (the way back of a drill) needs a few Patroni loops to show
  // as running with a known lag: wait for that, but refuse a paused cluster at once (it will
  // not resume by itself).
  Result<ActionResult> run(Steady::time_point deadline) override {
    std::string last;
    for (;;) {
      auto cluster = read_patroni_cluster(p_.patroni, read_budget(deadline));
      if (cluster) {
        const auto refusals = patroni_switchover_refusals(cluster.value(), leader_, candidate_, p_.switchover_max_lag);
        if (refusals.empty()) {
          return ActionResult{"Patroni: " + pc::overview(cluster.value()) + "; " + candidate_ + " can take over", {}};
        }
        last = joined(refusals);
        if (cluster->paused) break;
      } else {
        last = cluster.error().message;
      }
      if (left(deadline) <= kPoll) break;
      std::this_thread::sleep_for(kPoll);
    }
    return Error{ErrorKind::state, "not fit for a switchover " + leader_ + " -> " + candidate_ + ": " + last};
  }

 private:
  const Playbook& p_;
  std::string leader_, candidate_;
};

class PatroniSwitchover final : public Action {
 public:
  PatroniSwitchover(const Playbook& p, std::string leader, std::string candidate)
      : p_(p), leader_(std::move(leader)), candidate_(std::move(candidate)) {}

  Result<ActionResult> run(Steady::time_point deadline) override {
    auto cluster = read_patroni_cluster(p_.patroni, read_budget(deadline));
    if (!cluster) return cluster.error();
    // A resumed run whose switchover already happened: the candidate leads, nothing to ask.
    if (patroni_leader(cluster.value()) == candidate_) return wait_settled(deadline, "already led by " + candidate_);
    const std::string url = patroni_url_of(p_.patroni, cluster.value(), leader_);
    if (url.empty()) return Error{ErrorKind::state, "no REST API URL for Patroni's leader " + leader_};
    auto answer = post_switchover(p_.patroni, url, leader_, candidate_, std::max(Millis(1), left(deadline)));
    if (!answer) return answer.error();
    return wait_settled(deadline, "Patroni: " + answer.value());
  }

  // There is no undo: moving the leader back is a second switchover, with its own checks.
  bool can_undo() const override { return false; }

 private:
  // Done when /cluster shows the candidate as the running leader and the old leader back as a
  // running replica (Patroni's answer comes once the leader key moved, before the old leader
  // has restarted as a replica).
  Result<ActionResult> wait_settled(Steady::time_point deadline, const std::string& answer) {
    std::string last = "no /cluster read yet";
    for (;;) {
      auto cluster = read_patroni_cluster(p_.patroni, read_budget(deadline));
      if (cluster) {
        const pc::Member* old_leader = nullptr;
        for (const auto& m : cluster->members) {
          if (m.name == leader_) old_leader = &m;
        }
        const bool led = patroni_leader(cluster.value()) == candidate_;
        const bool follows = old_leader != nullptr && pc::is_replicating(*old_leader);
        if (led && follows) return ActionResult{answer + "; /cluster: " + pc::overview(cluster.value()), {{"leader", candidate_}}};
        last = pc::overview(cluster.value()) +
               (old_leader ? ", " + leader_ + " " + old_leader->role + "/" + old_leader->state : ", " + leader_ + " not listed");
      } else {
        last = cluster.error().message;
      }
      if (left(deadline) <= kPoll) break;
      std::this_thread::sleep_for(kPoll);
    }
    return Error{ErrorKind::timeout, answer + "; but /cluster did not show " + candidate_ + " leading and " + leader_ +
                                         " replicating before the deadline (last: " + last + ")"};
  }

  const Playbook& p_;
  std::string leader_, candidate_;
};

}  // namespace

std::unique_ptr<Action> make_patroni_action(const StepSpec& step, const Playbook& playbook, const std::string& leader,
                                            const std::string& candidate) {
  if (step.type == "patroni.check") return std::make_unique<PatroniCheck>(playbook, leader, candidate);
  if (step.type == "patroni.switchover") return std::make_unique<PatroniSwitchover>(playbook, leader, candidate);
  return nullptr;
}

}  // namespace hsops::failover
