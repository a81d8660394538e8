// Zero loss is verified, not assumed: the fence reads the old primary's last WAL position
// (pg_controldata's shutdown checkpoint when the data directory is here, else
// pg_current_wal_lsn() read before stopping), and promotion waits until the standby replayed it.
// A clean fast shutdown sends the standby all WAL first (../shared/reference/postgres-failover.md 3.1).
#include "failover/pg_actions.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "exec/exec.h"
#include "failover/run_command.h"
#include "pg/connection.h"

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

pg::Target bounded(pg::Target t, Steady::time_point deadline) {
  const Millis rest = left(deadline);
  t.options.connect_timeout = std::min(t.options.connect_timeout, std::max(rest, Millis(2000)));
  t.options.statement_timeout = std::min(t.options.statement_timeout, rest);
  t.options.application_name = "hsops-failover";
  return t;
}

Result<pg::Rows> query(const DatabaseNode& node, const std::string& sql, Steady::time_point deadline,
                       const pg::Params& params = {}) {
  auto db = pg::connect(bounded(node.target, deadline));
  if (!db) return db.error();
  return db.value().query(sql, params);
}

std::string first(const pg::Rows& rows) { return rows.empty() ? "" : rows.rows[0][0].value_or(""); }

class Checkpoint final : public Action {
 public:
  explicit Checkpoint(const DatabaseNode& n) : node_(n) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    auto r = query(node_, "CHECKPOINT", deadline);
    if (!r) return Error{r.error().kind, "CHECKPOINT on " + node_.name + ": " + r.error().message};
    return ActionResult{"checkpoint done on " + node_.name, {}};
  }

 private:
  const DatabaseNode& node_;
};

// pg_controldata's "Latest checkpoint location" and whether the cluster is shut down cleanly.
std::optional<std::pair<std::string, bool>> control_data(const DatabaseNode& node, Steady::time_point deadline) {
  if (node.data_dir.empty() || ::access(node.data_dir.c_str(), R_OK) != 0) return std::nullopt;
  for (const char* bin : {"/usr/lib/postgresql/15/bin/pg_controldata", "/usr/lib/postgresql/16/bin/pg_controldata",
                          "/usr/lib/postgresql/17/bin/pg_controldata"}) {
    if (::access(bin, X_OK) != 0) continue;
    exec::Command c(bin, {node.data_dir.string()});
    c.deadline = left(deadline);
    c.env_overrides = {{"LC_ALL", "C"}};
    auto r = exec::run(c);
    if (!r || r->exit_code != 0) return std::nullopt;
    std::istringstream in(r->out);
    std::string line, lsn;
    bool clean = false;
    while (std::getline(in, line)) {
      if (line.rfind("Latest checkpoint location:", 0) == 0) lsn = line.substr(line.find_last_of(' ') + 1);
      if (line.rfind("Database cluster state:", 0) == 0) clean = line.find("shut down") != std::string::npos;
    }
    if (!lsn.empty()) return std::pair{lsn, clean};
  }
  return std::nullopt;
}

class Fence final : public Action {
 public:
  Fence(const DatabaseNode& n, RunState& s) : node_(n), state_(s) {}

  Result<ActionResult> run(Steady::time_point deadline) override {
    auto lsn = query(node_, "SELECT pg_current_wal_lsn()::text", deadline);
    if (!lsn) return already_fenced(lsn.error(), deadline);
    state_.fence_lsn = first(lsn.value());
    state_.fenced_node = node_.name;
    auto stopped = run_control(node_.stop, "stop", deadline);
    if (!stopped) return read_only_instead(stopped.error(), deadline);
    // Verified, not assumed: it must refuse connections now.
    if (query(node_, "SELECT 1", deadline)) {
      return Error{ErrorKind::state, node_.name + " still accepts connections after `" + node_.stop.text() +
                                         "`: NOT fenced; do not promote (two writable primaries)"};
    }
    std::string detail = node_.name + " stopped; last WAL position " + state_.fence_lsn;
    if (auto control = control_data(node_, deadline)) {
      if (!control->second) return Error{ErrorKind::state, node_.name + " did not shut down cleanly: its last WAL may not have reached the standby"};
      state_.fence_lsn = control->first;
      detail = node_.name + " shut down cleanly at checkpoint " + control->first;
    }
    return ActionResult{detail, {{"lsn", state_.fence_lsn}, {"how", "stopped"}}};
  }

  bool can_undo() const override { return true; }
  // Whatever the fence did (a rollback may undo one that was cut short and recorded nothing):
  // a node that answers is made writable again, one that does not is started.
  Result<ActionResult> undo(const ActionResult& done, Steady::time_point deadline) override {
    (void)done;
    if (query(node_, "SELECT 1", deadline)) {
      auto r = query(node_, "ALTER SYSTEM RESET default_transaction_read_only", deadline);
      if (r) r = query(node_, "SELECT pg_reload_conf()", deadline);
      if (!r) return r.error();
      return ActionResult{node_.name + " runs and is writable again", {}};
    }
    auto started = run_control(node_.start, "start", deadline);
    if (!started) return started;
    return ActionResult{node_.name + " started again", {}};
  }

  void resume_from(const ActionResult& earlier) override {
    state_.fence_lsn = earlier.data.value("lsn", "");
    state_.fenced_node = node_.name;
  }

 private:
  // It does not answer: when a run is resumed this fence may already have stopped it. Fenced
  // only when pg_controldata says it shut down cleanly; its last checkpoint is then the
  // position to wait for, as in a first fence.
  Result<ActionResult> already_fenced(const Error& why, Steady::time_point deadline) {
    const auto control = control_data(node_, deadline);
    if (!control || !control->second) {
      return Error{why.kind, "reading " + node_.name + "'s WAL position before fencing: " + why.message +
                                 (control ? " (and pg_controldata does not say it shut down cleanly)" : "")};
    }
    state_.fence_lsn = control->first;
    state_.fenced_node = node_.name;
    return ActionResult{node_.name + " was already shut down cleanly at checkpoint " + control->first + ": fenced",
                        {{"lsn", state_.fence_lsn}, {"how", "stopped"}}};
  }

  // It could not be stopped: refuse writes and end the sessions, and say so.
  Result<ActionResult> read_only_instead(const Error& why, Steady::time_point deadline) {
    auto r = query(node_, "ALTER SYSTEM SET default_transaction_read_only = on", deadline);
    if (r) r = query(node_, "SELECT pg_reload_conf()", deadline);
    if (!r) {
      return Error{ErrorKind::state, node_.name + " could not be stopped (" + why.message +
                                         ") nor made read-only (" + r.error().message + "): NOT fenced"};
    }
    auto ended = query(node_, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                              "AND backend_type = 'client backend'", deadline);
    auto lsn = query(node_, "SELECT pg_current_wal_lsn()::text", deadline);
    if (lsn) state_.fence_lsn = first(lsn.value());
    return ActionResult{node_.name + " could not be stopped (" + why.message + "): made read-only and ended " +
                            (ended ? first(ended.value()) : std::string("?")) + " sessions; last WAL position " + state_.fence_lsn,
                        {{"lsn", state_.fence_lsn}, {"how", "read_only"}}};
  }

  const DatabaseNode& node_;
  RunState& state_;
};

class WaitReplay final : public Action {
 public:
  WaitReplay(const DatabaseNode& n, RunState& s) : node_(n), state_(s) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    if (state_.fence_lsn.empty()) return Error{ErrorKind::state, "no WAL position to wait for: pg.fence must run first"};
    std::string replayed = "?";
    do {
      auto r = query(node_, "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_replay_lsn() >= $1::pg_lsn", deadline,
                     {state_.fence_lsn});
      if (r && !r->empty()) {
        replayed = r->rows[0][0].value_or("?");
        if (r->rows[0][1] == pg::Value("t")) {
          return ActionResult{node_.name + " replayed " + replayed + " >= " + state_.fence_lsn + ": nothing lost",
                              {{"replayed", replayed}}};
        }
      }
      std::this_thread::sleep_for(std::min(left(deadline), Millis(100)));
    } while (Steady::now() < deadline);
    return Error{ErrorKind::timeout, node_.name + " replayed only to " + replayed + ", not " + state_.fence_lsn +
                                         " in time: promoting it would lose the rest"};
  }

 private:
  const DatabaseNode& node_;
  RunState& state_;
};

class Promote final : public Action {
 public:
  explicit Promote(const DatabaseNode& n) : node_(n) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    // pg_promote() errors on a server that is not in recovery: a resumed run may find the
    // promotion of its earlier attempt done.
    auto recovering = query(node_, "SELECT pg_is_in_recovery()::text", deadline);
    if (recovering && first(recovering.value()) == "false") return ActionResult{node_.name + " was already promoted", {}};
    const auto seconds = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(left(deadline)).count() - 1);
    auto r = query(node_, "SELECT pg_promote(true, " + std::to_string(seconds) + ")", deadline);
    if (!r) return Error{r.error().kind, "pg_promote on " + node_.name + ": " + r.error().message};
    if (first(r.value()) != "t") return Error{ErrorKind::timeout, node_.name + " did not finish promotion in time"};
    return ActionResult{node_.name + " promoted", {}};
  }

 private:
  const DatabaseNode& node_;
};

class VerifyPrimary final : public Action {
 public:
  explicit VerifyPrimary(const DatabaseNode& n) : node_(n) {}
  Result<ActionResult> run(Steady::time_point deadline) override {
    // Retried until the deadline: right after Patroni's election the new leader may still be
    // finishing its promotion (follow runs as soon as /cluster names it).
    for (;;) {
      auto attempt = try_once(deadline);
      if (attempt || Steady::now() + std::chrono::milliseconds(200) >= deadline) return attempt;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

 private:
  Result<ActionResult> try_once(Steady::time_point deadline) {
    // A transaction id is only handed out by a writable primary: the smallest test write.
    auto r = query(node_, "SELECT pg_is_in_recovery()::text, pg_current_xact_id()::text, pg_current_wal_lsn()::text", deadline);
    if (!r || r->empty()) return Error{ErrorKind::state, node_.name + " takes no write: " + (r ? "no answer" : r.error().message)};
    if (r->rows[0][0] == pg::Value("true")) return Error{ErrorKind::state, node_.name + " is still in recovery"};
    return ActionResult{node_.name + " accepts writes (transaction " + r->rows[0][1].value_or("?") + ")", {}};
  }

  const DatabaseNode& node_;
};

// The conninfo of `to` as a replication source, for primary_conninfo (libpq keywords only).
std::string replication_conninfo(const DatabaseNode& to) {
  std::string c = to.target.conninfo;
  if (to.target.password) c += " password='" + *to.target.password + "'";
  return c;
}

// Debian's layout: the binaries of the data directory's major version (its PG_VERSION file).
Result<std::string> pg_bin_dir(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / "PG_VERSION");
  std::string major;
  if (!(in >> major) || major.find_first_not_of("0123456789") != std::string::npos) {
    return Error{ErrorKind::io, (data_dir / "PG_VERSION").string() + ": cannot read the PostgreSQL major version"};
  }
  return "/usr/lib/postgresql/" + major + "/bin/";
}

// The argv prefix that runs a program as the data directory's owner: PostgreSQL's tools refuse
// root, and files pg_rewind writes must stay the owner's.
Result<std::vector<std::string>> as_data_dir_owner(const std::filesystem::path& data_dir) {
  struct stat st{};
  if (::stat(data_dir.c_str(), &st) != 0) return Error{ErrorKind::io, data_dir.string() + ": cannot stat"};
  if (::geteuid() == st.st_uid) return std::vector<std::string>{};
  passwd pw{}, *found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(st.st_uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return Error{ErrorKind::config, data_dir.string() + " is owned by uid " + std::to_string(st.st_uid) + ", which has no user name"};
  }
  if (::geteuid() != 0) {
    return Error{ErrorKind::config, data_dir.string() + " belongs to " + pw.pw_name + ": run hsops as root or as " + pw.pw_name +
                                        " to rewind it"};
  }
  // runuser without -l keeps our environment, so PGPASSWORD reaches pg_rewind.
  return std::vector<std::string>{"runuser", "-u", pw.pw_name, "--"};
}

// pg_rewind's messages without its "pg_rewind: " prefix, joined, at most ~400 characters.
std::string rewind_said(const std::string& output) {
  std::istringstream in(output);
  std::string line, said;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.rfind("pg_rewind: ", 0) == 0) line.erase(0, 11);
    said += (said.empty() ? "" : "; ") + line;
  }
  return said.size() > 400 ? "..." + said.substr(said.size() - 400) : said;
}

class Reattach final : public Action {
 public:
  Reattach(const DatabaseNode& n, const DatabaseNode& primary) : node_(n), primary_(primary) {}

  Result<ActionResult> run(Steady::time_point deadline) override {
    if (node_.data_dir.empty()) return Error{ErrorKind::config, node_.name + " has no data_dir: cannot reattach it here"};
    const std::string slot = "hsops_" + node_.name;
    // Reserved at once (immediately_reserve): a slot nobody has used yet holds no WAL, and the
    // CHECKPOINT before pg_rewind would remove the segments this node needs to follow (seen on
    // the stack's second drill: "requested WAL segment ... has already been removed").
    auto made = query(primary_, "SELECT count(pg_create_physical_replication_slot($1, true)) FROM (SELECT 1) s WHERE NOT EXISTS "
                                "(SELECT 1 FROM pg_replication_slots WHERE slot_name = $1)", deadline, {slot});
    if (!made) return Error{made.error().kind, "creating slot " + slot + " on " + primary_.name + ": " + made.error().message};
    // A resumed run may find it already started as a standby; running as a primary it must
    // not be touched (the new primary is the other node).
    auto recovering = query(node_, "SELECT pg_is_in_recovery()::text", deadline);
    if (recovering && first(recovering.value()) != "true") {
      return Error{ErrorKind::state, node_.name + " runs as a primary while " + primary_.name +
                                         " is primary: two primaries, fence " + node_.name + " by hand"};
    }
    std::string rewind_note = "already running as a standby: not rewound";
    if (!recovering) {
      // Before the standby config: pg_rewind copies the source's configuration files over ours.
      auto rewound = rewind(deadline);
      if (!rewound) return rewound.error();
      rewind_note = rewound.value();
    }
    if (auto written = write_standby_config(slot); !written) return written.error();
    if (!recovering) {
      if (auto started = run_control(node_.start, "start", deadline); !started) return started;
    }
    // Following the new timeline and streaming, as the new primary sees it (the state column
    // is NULL without pg_read_all_stats: the last answer goes into the timeout's message).
    std::string seen = "no answer";
    do {
      auto r = query(primary_, "SELECT coalesce(state, 'hidden: needs pg_monitor') FROM pg_stat_replication WHERE application_name = $1",
                     deadline, {node_.name});
      auto standby = query(node_, "SELECT pg_is_in_recovery()::text", deadline);
      seen = primary_.name + " sees " + (!r ? r.error().message : r->empty() ? "no connection from it" : "it " + first(r.value())) +
             ", in recovery: " + (standby ? first(standby.value()) : "no answer");
      if (r && !r->empty() && first(r.value()) == "streaming" && standby && first(standby.value()) == "true") {
        return ActionResult{node_.name + " is a standby of " + primary_.name + ", streaming (slot " + slot + "); " +
                                rewind_note + drop_stale_slot(deadline),
                            {{"rewind", rewind_note}}};
      }
      std::this_thread::sleep_for(std::min(left(deadline), Millis(200)));
    } while (Steady::now() < deadline);
    return Error{ErrorKind::timeout, node_.name + " did not start streaming from " + primary_.name + " in time (" +
                                         rewind_note + "; " + seen + "): read its server log; if it cannot follow, re-clone it from " +
                                         primary_.name + " with pg_basebackup (docs/failover.md)"};
  }

 private:
  // pg_rewind from the new primary, so an old primary that wrote WAL the new one never got
  // (an unplanned promote) can follow it; a clean switchover needs none and pg_rewind says so.
  // The password goes in PGPASSWORD, never on the command line.
  Result<std::string> rewind(Steady::time_point deadline) {
    auto bin = node_.pg_bin.empty() ? pg_bin_dir(node_.data_dir) : Result<std::string>((node_.pg_bin / "").string());
    if (!bin) return bin.error();
    auto prefix = as_data_dir_owner(node_.data_dir);
    if (!prefix) return prefix.error();
    // A just promoted primary's control file names the old timeline until its first checkpoint;
    // pg_rewind reads it there and would find nothing to rewind.
    if (auto checkpoint = query(primary_, "CHECKPOINT", deadline); !checkpoint) {
      return Error{checkpoint.error().kind, "CHECKPOINT on " + primary_.name + " before pg_rewind: " +
                                                checkpoint.error().message + " (its role needs pg_checkpoint or superuser)"};
    }
    std::vector<std::string> argv = prefix.value();
    argv.insert(argv.end(), {bin.value() + "pg_rewind", "--target-pgdata=" + node_.data_dir.string(),
                             "--source-server=" + primary_.target.conninfo});
    exec::Command c(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
    c.deadline = left(deadline);
    c.env_overrides = {{"LC_ALL", "C"}};
    if (primary_.target.password) c.env_overrides["PGPASSWORD"] = *primary_.target.password;
    auto r = exec::run(c);
    const std::string what = "pg_rewind of " + node_.name + " from " + primary_.name;
    if (!r) return Error{r.error().kind, what + ": " + r.error().message};
    const std::string said = rewind_said(r->out + r->err);
    if (r->timed_out || r->exit_code != 0) {
      // Neither checksums nor wal_log_hints: it cannot tell, let alone rewind; a node that did not
      // diverge still follows, and the timeout below says why one that did does not.
      if (!r->timed_out && said.find("wal_log_hints") != std::string::npos) {
        return "not rewound: pg_rewind cannot run on " + node_.name + " (" + said + ")";
      }
      return Error{r->timed_out ? ErrorKind::timeout : ErrorKind::exit_status,
                   what + (r->timed_out ? " did not finish in time and was killed" : " failed (exit " + std::to_string(r->exit_code) + ")") +
                       (said.empty() ? "" : ": " + said) + "; " + node_.name +
                       " was not started: fix the cause and run the step again, or if pg_rewind had begun copying (its data "
                       "directory is then unusable) re-clone it from " + primary_.name + " with pg_basebackup"};
    }
    if (said.find("no rewind required") != std::string::npos) return std::string("no rewind needed");
    return "rewound from " + primary_.name + " (pg_rewind: " + said + ")";
  }

  // The slot the new primary used while this node was primary stays behind on this node; on a
  // standby an idle slot still keeps every WAL segment from its restart_lsn: the disk fills.
  std::string drop_stale_slot(Steady::time_point deadline) {
    const std::string stale = "hsops_" + primary_.name;
    auto dropped = query(node_, "SELECT count(pg_drop_replication_slot(slot_name))::text FROM pg_replication_slots "
                                "WHERE slot_name = $1 AND NOT active", deadline, {stale});
    if (!dropped) {
      return "; could not drop the stale slot " + stale + " here (" + dropped.error().message +
             "): drop it by hand or it keeps WAL on " + node_.name;
    }
    return first(dropped.value()) == "1" ? "; dropped the stale slot " + stale + " here" : "";
  }

  // standby.signal and primary_conninfo/primary_slot_name in postgresql.auto.conf, owned like
  // the data directory (we may run as root; PostgreSQL refuses files it cannot read).
  Result<bool> write_standby_config(const std::string& slot) {
    struct stat owner{};
    if (::stat(node_.data_dir.c_str(), &owner) != 0) return Error{ErrorKind::io, node_.data_dir.string() + ": cannot stat"};
    const auto auto_conf = node_.data_dir / "postgresql.auto.conf";
    std::ifstream in(auto_conf);
    std::string kept, line;
    while (std::getline(in, line)) {
      if (line.rfind("primary_conninfo", 0) == 0 || line.rfind("primary_slot_name", 0) == 0) continue;
      kept += line + "\n";
    }
    std::string conninfo = replication_conninfo(primary_);
    std::string escaped;
    for (char c : conninfo) escaped += c == '\'' ? std::string("''") : std::string(1, c);
    kept += "primary_conninfo = '" + escaped + " application_name=" + node_.name + "'\n";
    kept += "primary_slot_name = '" + slot + "'\n";
    for (const auto& [file, text] : {std::pair{auto_conf, kept}, std::pair{node_.data_dir / "standby.signal", std::string()}}) {
      std::ofstream out(file, std::ios::trunc);
      out << text;
      out.close();
      if (!out) return Error{ErrorKind::io, file.string() + ": cannot write"};
      ::chmod(file.c_str(), 0600);
      if (::chown(file.c_str(), owner.st_uid, owner.st_gid) != 0 && ::geteuid() == 0) {
        return Error{ErrorKind::io, file.string() + ": cannot give it to the data directory's owner"};
      }
    }
    return true;
  }

  const DatabaseNode& node_;
  const DatabaseNode& primary_;
};

}  // namespace

std::unique_ptr<Action> make_pg_action(const StepSpec& step, const DatabaseNode& node, const DatabaseNode& other,
                                       RunState& state) {
  if (step.type == "pg.checkpoint") return std::make_unique<Checkpoint>(node);
  if (step.type == "pg.fence") return std::make_unique<Fence>(node, state);
  if (step.type == "pg.wait_replay") return std::make_unique<WaitReplay>(node, state);
  if (step.type == "pg.promote") return std::make_unique<Promote>(node);
  if (step.type == "pg.verify_primary") return std::make_unique<VerifyPrimary>(node);
  if (step.type == "pg.reattach") return std::make_unique<Reattach>(node, other);
  return nullptr;
}

}  // namespace hsops::failover
