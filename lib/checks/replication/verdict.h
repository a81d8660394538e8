// The replication check's figures and verdicts, from both ends of a streaming pair. The
// outage this exists for: replication to the standby broke silently; a disconnected standby
// has no row in pg_stat_replication, so absence, not an error, is the signal. Pure: no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace hsops::checks::replication {

// One row of pg_stat_replication on the primary (joined to its slot by active_pid).
struct Sender {
  std::string application_name;
  std::string slot_name;                     // "" when the standby streams without a slot
  std::string client_addr;
  std::string state;                         // startup | catchup | streaming | backup | stopping
  std::string sync_state;                    // async | potential | sync | quorum
  std::optional<double> lag_bytes;           // pg_current_wal_lsn() - replay_lsn
  std::optional<double> flush_lag_bytes;     // pg_current_wal_lsn() - flush_lsn: lost on a failover now
  std::optional<double> lag_seconds;         // replay_lag; NULL (caught up and idle) counts as 0
  std::optional<double> reply_age_seconds;   // now() - reply_time
};

// What a standby says about itself.
struct StandbyView {
  std::string name;                          // the configured name
  bool in_recovery = true;
  std::optional<std::string> receiver_status;  // pg_stat_wal_receiver.status; nullopt: no walreceiver
  std::optional<double> receive_lag_bytes;   // primary's WAL position - pg_last_wal_receive_lsn()
  std::optional<double> replay_lag_bytes;    // receive - replay, on the standby itself
  std::optional<double> replay_age_seconds;  // now() - pg_last_xact_replay_timestamp()
};

struct Thresholds {
  std::uint64_t warn_lag_bytes = 16ull << 20;   // one WAL segment behind
  std::uint64_t crit_lag_bytes = 1ull << 30;
  std::chrono::seconds warn_lag{60};
  std::chrono::seconds crit_lag{300};           // repmgr's replication_lag_critical default
};

struct Verdict {
  Status status = Status::ok;
  std::string reason;
};

// An expected standby is found by its application_name or by its slot's name.
const Sender* find_sender(const std::vector<Sender>& senders, const std::string& name);

// The primary's view of one expected standby (nullptr: no row, i.e. not connected).
Verdict judge_sender(const std::string& name, const Sender* sender, const Thresholds& t);
// Fewer connected standbys than wanted (when none are named): the silent break again.
Verdict judge_count(std::size_t connected, std::size_t wanted);
// The standby's own view. An idle primary makes the replay timestamp age grow, so it only
// counts while the standby has received WAL it has not replayed yet.
Verdict judge_standby(const StandbyView& view, const Thresholds& t);

// What to do about a missing or lagging standby, in runbook words.
std::vector<std::string> advice_for_missing(const std::string& name, const std::string& slot_hint);

}  // namespace hsops::checks::replication
