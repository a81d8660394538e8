#include "failover_command.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "checks/failover_drill/records.h"
#include "core/units.h"
#include "failover/follow.h"
#include "failover/journal.h"
#include "failover/playbook.h"
#include "failover/preconditions.h"
#include "failover/report_text.h"
#include "failover/resume.h"
#include "failover/run.h"
#include "failover/topology_state.h"

namespace hsops::cli {
namespace {

struct FailoverOptions {
  std::string playbook;
  std::string operation = "all";
  std::string timeout = "5s";
  bool yes = false;
  bool force = false;
  bool resume = false;
  bool rollback = false;
  std::string poll_interval = "1s";
};

constexpr const char* kDefaultPlaybook = "/etc/hsops/playbook.yaml";

std::string playbook_path(const FailoverOptions& o) {
  if (!o.playbook.empty()) return o.playbook;
  if (const char* env = std::getenv("HSOPS_PLAYBOOK"); env != nullptr && *env != '\0') return env;
  return kDefaultPlaybook;
}

// Exit 3 with file:line:column, as a check's config error does.
failover::Playbook load_or_exit(const FailoverOptions& o) {
  const std::string path = playbook_path(o);
  if (std::error_code ec; !std::filesystem::exists(path, ec)) {
    std::cerr << "hsops failover: no playbook at " << path << ": write one from playbooks/example.yaml "
              << "(docs/failover.md), then give its path or set $HSOPS_PLAYBOOK\n";
    std::exit(3);
  }
  try {
    return failover::load_playbook(path);
  } catch (const config::ConfigError& e) {
    std::cerr << "hsops failover: playbook error: " << e.what() << '\n';
    std::exit(3);
  }
}

Millis timeout_or_exit(const FailoverOptions& o) {
  auto t = parse_duration(o.timeout);
  if (!t || t->count() <= 0) {
    std::cerr << "hsops failover: -t " << o.timeout << ": not a positive duration (e.g. 5s)\n";
    std::exit(3);
  }
  return *t;
}

void print_state(const failover::TopologyState& state) {
  std::cout << "now (read-only):\n";
  for (const auto& line : failover::describe(state)) std::cout << "  " << line << '\n';
}

int plan(const FailoverOptions& o) {
  const auto playbook = load_or_exit(o);
  std::cout << "playbook " << playbook.file << ": valid (deployment " << playbook.name << ")\n";
  const auto state = failover::observe(playbook, timeout_or_exit(o));
  print_state(state);
  // Without a primary the steps are shown with the playbook's normal roles.
  const failover::Roles roles = state.roles.value_or(
      failover::Roles{playbook.primary, playbook.standby, playbook.active, playbook.spare});
  bool refused = false;
  for (const auto& [name, op] : playbook.operations) {
    if (o.operation != "all" && o.operation != name) continue;
    const auto pre = failover::check_preconditions(name, playbook, state, false);
    // follow moves no database: it runs once Patroni has elected another leader.
    const std::string moves = name == "follow" ? "when Patroni elects another leader: " + roles.active + " -> " + roles.spare
                                               : roles.primary + " -> " + roles.standby + ", " + roles.active + " -> " + roles.spare;
    std::cout << '\n' << name << " (" << moves << "): " << (pre.refusals.empty() ? "would start" : "REFUSED now") << '\n';
    for (const auto& r : pre.refusals) std::cout << "  refused: " << r << '\n';
    for (const auto& w : pre.warnings) std::cout << "  warning: " << w << '\n';
    // Only a chosen operation decides the exit code: with all of them, promote is refused
    // whenever the primary is healthy, as it should be.
    refused = refused || (o.operation == name && !pre.refusals.empty());
    for (std::size_t i = 0; i < op.steps.size(); ++i) {
      std::cout << "  " << i + 1 << "/" << op.steps.size() << " " << failover::describe_step(op.steps[i], playbook, roles)
                << '\n';
    }
  }
  std::cout << "\nnothing was changed.\n";
  return refused ? 1 : 0;
}

// The last drill as the failover_drill check reads it: result, when, RTO.
void print_last_drill(const std::filesystem::path& state_dir) {
  const auto drills = checks::failover_drill::read_drills(state_dir);
  if (!drills.problem.empty()) {
    std::cout << "last drill: " << drills.problem << '\n';
  } else if (!drills.last) {
    std::cout << "last drill: none recorded (run `hsops failover drill`, or the weekly timer: docs/failover.md)\n";
  } else {
    const auto& d = *drills.last;
    std::cout << "last drill: " << (d.ok ? "OK" : "FAILED") << " at " << format_utc(d.started_at) << " (" << d.run_id
              << "), RTO " << (d.rto_seconds ? format_duration(*d.rto_seconds) : std::string("not measured")) << ", took "
              << format_duration(d.seconds) << (d.ok ? std::string() : ": " + d.left_state) << '\n';
    if (!d.ok) {
      std::cout << "  last good drill: "
                << (drills.last_good ? format_utc(drills.last_good->started_at) + " (" + drills.last_good->run_id + ")"
                                     : std::string("none recorded"))
                << '\n';
    }
  }
}

int status(const FailoverOptions& o) {
  const auto playbook = load_or_exit(o);
  const auto state = failover::observe(playbook, timeout_or_exit(o));
  std::cout << "deployment " << playbook.name << " (" << playbook.file << ")\n";
  print_state(state);
  const auto journal = failover::read_journal(playbook.state_dir / "journal.jsonl");
  if (!journal) {
    std::cout << "last run: journal unreadable: " << journal.error().message << '\n';
    return 3;
  }
  const auto run = failover::last_run(journal->entries);
  if (!run) {
    std::cout << "last run: none recorded in " << (playbook.state_dir / "journal.jsonl").string() << '\n';
  } else {
    std::cout << "last run: " << run->operation << " " << run->run_id << (run->finished ? " (finished)" : " (INTERRUPTED)")
              << '\n';
    if (!run->finished) {
      const auto op = playbook.operations.find(run->operation);
      for (const auto& line : failover::describe_interrupted(*run, op == playbook.operations.end() ? nullptr : &op->second)) {
        std::cout << "  " << line << '\n';
      }
    }
  }
  print_last_drill(playbook.state_dir);
  return state.roles ? 0 : 2;
}

// switchover, promote, drill: exit 0 done (and within budgets), 1 refused (nothing done),
// 2 a step failed or ran over budget (the report says what was left), 3 bad playbook or I/O.
int run_operation_command(const FailoverOptions& o, const std::string& operation) {
  const auto playbook = load_or_exit(o);
  failover::ExecuteOptions options;
  options.operation = operation;
  options.mode = o.resume ? failover::RunMode::resume : o.rollback ? failover::RunMode::rollback : failover::RunMode::fresh;
  options.force = o.force;
  options.observe_timeout = timeout_or_exit(o);
  options.interaction = failover::Interaction{o.yes, &std::cin, &std::cout};
  options.progress = [](const std::string& line) { std::cout << line << std::endl; };
  static const SystemClock clock;
  auto done = failover::execute(playbook, options, clock);
  if (!done) {
    std::cerr << "hsops failover " << operation << ": " << done.error().message << '\n';
    return done.error().kind == ErrorKind::busy ? 1 : 3;
  }
  for (const auto& w : done->warnings) std::cout << "warning: " << w << '\n';
  if (!done->refusals.empty()) {
    for (const auto& r : done->refusals) std::cout << operation << " refused: " << r << '\n';
    std::cout << "nothing was changed.\n";
    return 1;
  }
  const auto& report = *done->report;
  std::cout << '\n' << failover::summary_text(report, playbook.name) << "report: " << done->report_file.string() << '\n';
  return report.ok ? 0 : 2;
}

std::atomic<bool> follow_stop{false};
void request_follow_stop(int /*signal*/) { follow_stop.store(true); }

// follow: runs until SIGTERM/SIGINT. Exit 0 stopped, 1 another follower runs, 3 bad playbook
// (or not on the patroni backend) or unusable state directory.
int follow_command(const FailoverOptions& o) {
  const auto playbook = load_or_exit(o);
  failover::FollowOptions options;
  auto interval = parse_duration(o.poll_interval);
  if (!interval || interval->count() < 100) {
    std::cerr << "hsops failover follow: --poll-interval " << o.poll_interval << ": not a duration of at least 100ms\n";
    return 3;
  }
  options.poll_interval = *interval;
  options.request_timeout = std::min(timeout_or_exit(o), std::max(*interval, Millis(500)));
  options.log = [](const std::string& line) { std::cout << format_utc(unix_seconds(std::chrono::system_clock::now())) << "  " << line << std::endl; };
  options.stop = &follow_stop;
  std::signal(SIGTERM, request_follow_stop);
  std::signal(SIGINT, request_follow_stop);
  static const SystemClock clock;
  auto done = failover::follow_leader(playbook, options, clock);
  if (!done) {
    std::cerr << "hsops failover follow: " << done.error().message << '\n';
    return done.error().kind == ErrorKind::busy ? 1 : 3;
  }
  return 0;
}

}  // namespace

void setup_failover_command(CLI::App& app, const GlobalOptions& /*global*/) {
  auto options = std::make_shared<FailoverOptions>();
  auto* failover = app.add_subcommand(
      "failover",
      "Failover to the hot spare, homeserver and database together, from a playbook (docs/failover.md).\n"
      "The playbook: PLAYBOOK, else $HSOPS_PLAYBOOK, else /etc/hsops/playbook.yaml.");
  failover->require_subcommand(1);

  auto* plan_cmd = failover->add_subcommand(
      "plan", "Validate the playbook (file:line:column), read who is primary and how far the standby is behind\n"
              "(read-only), and print each operation's steps and whether it would start now. Changes nothing.\n"
              "Exit 0: valid (and, with --operation, that operation may start now); 1: the chosen operation would be\n"
              "refused; 3: bad playbook.");
  plan_cmd->add_option("playbook", options->playbook, "Playbook file")->option_text("PLAYBOOK");
  plan_cmd->add_option("--operation", options->operation, "Show one operation: switchover, promote, drill, follow (default all)")
      ->check(CLI::IsMember({"all", "switchover", "promote", "drill", "follow"}));
  plan_cmd->add_option("-t,--timeout", options->timeout, "Deadline for each connection and request (default 5s)")
      ->option_text("DURATION");
  plan_cmd->callback([options] { std::exit(plan(*options)); });

  auto* status_cmd = failover->add_subcommand(
      "status", "Who is primary and standby now, the replication between them, which homeserver serves, and the\n"
                "last run from the journal (an interrupted one is named with its step).\n"
                "Exit 0: one primary; 2: none or two (split brain); 3: bad playbook or unreadable journal.");
  status_cmd->add_option("playbook", options->playbook, "Playbook file")->option_text("PLAYBOOK");
  status_cmd->add_option("-t,--timeout", options->timeout, "Deadline for each connection and request (default 5s)")
      ->option_text("DURATION");
  status_cmd->callback([options] { std::exit(status(*options)); });

  auto* follow_cmd = failover->add_subcommand(
      "follow", "Patroni backend: run until stopped, watching Patroni's leader (GET /cluster and the leader's\n"
                "/primary every --poll-interval). When another member leads, run the playbook's follow operation\n"
                "(default: stop the active homeserver, check the new leader takes a write, start the spare, switch\n"
                "the route, probe) and log the RTO: Patroni's part and hsops's part. State for the failover_follow\n"
                "check (the watchdog's \"leader changed\" and \"no leader\" alerts): <state_dir>/follow.json.\n"
                "A leader moved by `hsops failover switchover|drill` (which holds the run lock) is only noted.\n"
                "For dist/hsops-failover-follow.service. Exit 0 on SIGTERM, 1 another follower runs, 3 bad playbook.");
  follow_cmd->add_option("playbook", options->playbook, "Playbook file")->option_text("PLAYBOOK");
  follow_cmd->add_option("--poll-interval", options->poll_interval,
                         "How often Patroni is asked (default 1s; at least 100ms). Detection adds at most this to the RTO")
      ->option_text("DURATION");
  follow_cmd->add_option("-t,--timeout", options->timeout, "Deadline for each REST call of a poll (default 5s, capped at the interval)")
      ->option_text("DURATION");
  follow_cmd->callback([options] { std::exit(follow_command(*options)); });

  const std::vector<std::pair<std::string, std::string>> operations{
      {"switchover", "Planned, zero data loss: refuses unless the standby streams within switchover_max_lag; fences\n"
                     "the primary, waits until the standby replayed its last WAL, promotes, moves the homeserver and\n"
                     "the route, probes through the public route."},
      {"promote", "Unplanned (the primary is gone): refuses above maximum_lag_on_failover unless --force and says\n"
                  "how much may be lost; fencing the old primary is still required."},
      {"drill", "Switchover, proof of service, switch back, proof again: for a timer (--yes)."}};
  for (const auto& [name, help] : operations) {
    auto* cmd = failover->add_subcommand(
        name, help + "\nOne run at a time (lock); every step is journaled; a failure undoes what can be undone\n"
                     "safely and the report (<state_dir>/reports/) says what was left. A run cut short (kill -9,\n"
                     "reboot) is finished with --resume or undone with --rollback. Exit 0 done, 1 refused,\n"
                     "2 failed or over budget, 3 bad playbook.");
    cmd->add_option("playbook", options->playbook, "Playbook file")->option_text("PLAYBOOK");
    cmd->add_flag("--yes", options->yes, "Do not ask before acting (timers, cron)");
    if (name == "promote") cmd->add_flag("--force", options->force, "Promote even above maximum_lag_on_failover");
    auto* resume = cmd->add_flag("--resume", options->resume,
                                 "Finish the journal's interrupted " + name + " (same run id, its recorded roles): steps\n"
                                 "done before are skipped, the cut-short step and the rest run");
    auto* rollback = cmd->add_flag("--rollback", options->rollback,
                                   "Undo the interrupted " + name + "'s completed steps in reverse, back to the old primary;\n"
                                   "refused once its promotion happened (then only --resume is safe)");
    resume->excludes(rollback);
    rollback->excludes(resume);
    cmd->add_option("-t,--timeout", options->timeout, "Deadline for reading the state before acting (default 5s)")
        ->option_text("DURATION");
    cmd->callback([options, operation = name] { std::exit(run_operation_command(*options, operation)); });
  }
}

}  // namespace hsops::cli
