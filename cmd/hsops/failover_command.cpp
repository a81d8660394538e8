#include "failover_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include "core/units.h"
#include "failover/journal.h"
#include "failover/playbook.h"
#include "failover/preconditions.h"
#include "failover/topology_state.h"

namespace hsops::cli {
namespace {

struct FailoverOptions {
  std::string playbook;
  std::string operation = "all";
  std::string timeout = "5s";
};

constexpr const char* kDefaultPlaybook = "/etc/hsops/playbook.yaml";

std::string playbook_path(const FailoverOptions& o) {
  if (!o.playbook.empty()) return o.playbook;
  if (const char* env = std::getenv("HSOPS_PLAYBOOK"); env != nullptr && *env != '\0') return env;
  return kDefaultPlaybook;
}

// Exit 3 with file:line:column, as a check's config error does.
failover::Playbook load_or_exit(const FailoverOptions& o) {
  try {
    return failover::load_playbook(playbook_path(o));
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
    std::cout << '\n' << name << " (" << roles.primary << " -> " << roles.standby << ", " << roles.active << " -> "
              << roles.spare << "): " << (pre.refusals.empty() ? "would start" : "REFUSED now") << '\n';
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
    if (run->in_flight) {
      std::cout << "  interrupted in step " << run->in_flight->step << " " << run->in_flight->type << ": "
                << run->in_flight->detail << '\n';
    }
  }
  return state.roles ? 0 : 2;
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
  plan_cmd->add_option("--operation", options->operation, "Show one operation: switchover, promote, drill (default all)")
      ->check(CLI::IsMember({"all", "switchover", "promote", "drill"}));
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
}

}  // namespace hsops::cli
