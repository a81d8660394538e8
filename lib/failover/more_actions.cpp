// Replication from the primary's pg_stat_replication; the probe is the probe check itself
// (lib/checks/probe) pointed at the playbook's public URL; confirm reads one answer.
#include "failover/more_actions.h"

#include <poll.h>
#include <unistd.h>

#include "checks/probe/check.h"

#include <iostream>
#include "core/units.h"
#include "failover/run_command.h"
#include "pg/connection.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

class CheckReplication final : public Action {
 public:
  CheckReplication(const DatabaseNode& primary, const DatabaseNode& standby, std::uint64_t max_lag)
      : primary_(primary), standby_(standby), max_lag_(max_lag) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    pg::Target t = primary_.target;
    t.options.connect_timeout = std::min(t.options.connect_timeout, left(deadline));
    t.options.statement_timeout = std::min(t.options.statement_timeout, left(deadline));
    auto db = pg::connect(t);
    if (!db) return Error{db.error().kind, "asking " + primary_.name + " about its standby: " + db.error().message};
    auto rows = db.value().query("SELECT state, pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag "
                                 "FROM pg_stat_replication ORDER BY backend_start LIMIT 1");
    if (!rows) return Error{rows.error().kind, "pg_stat_replication on " + primary_.name + ": " + rows.error().message};
    if (rows->empty()) return Error{ErrorKind::state, standby_.name + " is not connected to " + primary_.name};
    const std::string state = rows->at(0, "state").value_or("");
    const double lag = std::stod(rows->at(0, "lag").value_or("0"));
    if (state != "streaming") return Error{ErrorKind::state, standby_.name + " is " + state + ", not streaming"};
    if (lag > static_cast<double>(max_lag_)) {
      return Error{ErrorKind::state, standby_.name + " is " + format_bytes(lag) + " behind, above the limit " +
                                         format_bytes(static_cast<double>(max_lag_))};
    }
    return ActionResult{standby_.name + " streaming, " + format_bytes(lag) + " behind", {{"lag_bytes", lag}}};
  }

 private:
  const DatabaseNode& primary_;
  const DatabaseNode& standby_;
  std::uint64_t max_lag_;
};

class Probe final : public Action {
 public:
  Probe(const Playbook& p, const Clock& clock) : p_(p), clock_(clock) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    checks::probe::Options o;
    o.homeserver_url = p_.probe_url;
    o.user_id = p_.probe_user;
    o.password = p_.probe_password;
    o.device_id = "HSOPS_FAILOVER";
    o.state_file = p_.state_dir / "probe-state.json";
    o.budget = left(deadline);
    o.deadlines.total = std::min(o.deadlines.total, o.budget);
    o.deadlines.connect = std::min(o.deadlines.connect, o.deadlines.total);
    auto result = checks::probe::make_probe_check(std::move(o), clock_)->run();
    if (result.status != Status::ok) return Error{ErrorKind::state, "probe through " + p_.probe_url + ": " + result.summary};
    return ActionResult{"probe through " + p_.probe_url + ": " + result.summary, {}};
  }

 private:
  const Playbook& p_;
  const Clock& clock_;
};

class Confirm final : public Action {
 public:
  Confirm(std::string question, const Interaction& i) : question_(std::move(question)), i_(i) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    if (i_.assume_yes) return ActionResult{"confirmed by --yes", {}};
    if (i_.in == nullptr || i_.out == nullptr) return Error{ErrorKind::config, "no terminal to confirm on: use --yes"};
    *i_.out << question_ << " Type yes to go on: " << std::flush;
    // stdin is not a stream we can time out on through std::istream: poll its fd first.
    if (i_.in == &std::cin) {
      pollfd p{STDIN_FILENO, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left(deadline).count())) <= 0) return Error{ErrorKind::timeout, "no answer in time"};
    }
    std::string answer;
    std::getline(*i_.in, answer);
    if (answer != "yes") return Error{ErrorKind::state, "not confirmed (answer '" + answer + "')"};
    return ActionResult{"confirmed", {}};
  }

 private:
  std::string question_;
  const Interaction& i_;
};

}  // namespace

std::unique_ptr<Action> make_check_replication(const StepSpec& step, const DatabaseNode& primary, const DatabaseNode& standby,
                                               const Playbook& playbook) {
  std::uint64_t max = playbook.switchover_max_lag;
  if (step.params.count("max_lag")) {
    if (auto parsed = parse_size(step.params.at("max_lag"))) max = parsed.value();
  }
  return std::make_unique<CheckReplication>(primary, standby, max);
}

std::unique_ptr<Action> make_probe(const Playbook& playbook, const Clock& clock) { return std::make_unique<Probe>(playbook, clock); }

std::unique_ptr<Action> make_confirm(const StepSpec& step, const Roles& roles, const Interaction& interaction) {
  const std::string question = step.params.count("prompt") ? step.params.at("prompt")
                                                          : "Switch " + roles.primary + " -> " + roles.standby + " and " +
                                                                roles.active + " -> " + roles.spare + "?";
  return std::make_unique<Confirm>(question, interaction);
}

}  // namespace hsops::failover
