// The failover run's journal: one JSON object per line, appended and fsynced as each step
// starts, ends, fails or is undone, so a run killed at any point (kill -9, a host reboot) can
// be read back: which step was in flight, which were done, what their undo needs. Never holds
// a password or a token (steps record only what the report may show).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace hsops::failover {

enum class StepState { started, done, failed, undone, undo_failed, skipped };
std::string_view to_string(StepState state);
std::optional<StepState> step_state_from_string(std::string_view text);

// One line of the journal.
struct JournalEntry {
  std::string run_id;     // e.g. "20261205T201500Z-4f2a"
  std::string operation;  // "switchover", "promote", "drill"
  int step = 0;           // 1-based index in the operation's plan; 0 for run-level lines
  std::string type;       // "pg.fence", ... ("run" for run-level lines)
  StepState state = StepState::started;
  double at = 0;          // unix seconds
  std::string detail;     // one line for the operator ("fenced db1: stopped by systemd")
  nlohmann::json data = nlohmann::json::object();  // what resume/undo needs (LSNs, which server)
};

nlohmann::json to_json(const JournalEntry& entry);
Result<JournalEntry> journal_entry_from_json(const nlohmann::json& j);

class Journal {
 public:
  // Opens (creating) the journal file for appending. ErrorKind::io when it cannot.
  static Result<Journal> open(const std::filesystem::path& file);
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&&) = delete;
  Journal(const Journal&) = delete;
  ~Journal();

  // Appends one line and fsyncs it before returning: written means durable.
  Result<bool> append(const JournalEntry& entry);
  const std::filesystem::path& file() const { return file_; }

 private:
  Journal(std::filesystem::path file, int fd) : file_(std::move(file)), fd_(fd) {}
  std::filesystem::path file_;
  int fd_ = -1;
};

// Every entry of a journal file, in order. A torn last line (the process died mid-write) is
// dropped and reported in `torn`; any other bad line is ErrorKind::parse naming file:line.
struct JournalRead {
  std::vector<JournalEntry> entries;
  bool torn = false;
};
Result<JournalRead> read_journal(const std::filesystem::path& file);

// The last run in a journal and whether it finished: a run is finished when its run-level
// line (step 0, type "run") says done or failed after its steps. An unfinished run is what
// `status` reports and `--resume` / `--rollback` continue.
struct RunSummary {
  std::string run_id;
  std::string operation;
  bool finished = false;
  std::vector<JournalEntry> steps;  // the latest entry of each step, in step order
  std::optional<JournalEntry> in_flight;  // a step started and neither done nor failed
  std::map<int, double> started_at;       // step -> when it last started (unix seconds)
  // The data of the run's first run-level "started" line: the roles it resolved, which a
  // resumed run must use (after a promotion, looking again would give them swapped).
  nlohmann::json started_data = nlohmann::json::object();
  // The latest entry of step `index` (1-based), or nullptr.
  const JournalEntry* step(int index) const;
};
std::optional<RunSummary> last_run(const std::vector<JournalEntry>& entries);

}  // namespace hsops::failover
