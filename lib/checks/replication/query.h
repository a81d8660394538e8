// The SQL the replication check issues on each end of a pair (parameter-free, read-only, each
// under statement_timeout). Details in pg_stat_replication / pg_stat_wal_receiver are NULL
// without pg_monitor (pg_read_all_stats), so the caller checks the role first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/replication/verdict.h"
#include "core/result.h"
#include "pg/connection.h"

namespace hsops::checks::replication {

struct SenderFigures {
  std::vector<Sender> senders;
  std::vector<std::string> inactive_slots;   // slots nobody streams from: where a missing standby's WAL piles up
  std::optional<double> wal_position_bytes;  // pg_current_wal_lsn() in bytes
};

struct ReceiverFigures {
  bool in_recovery = true;
  std::optional<std::string> receiver_status;
  std::optional<double> receive_bytes;       // pg_last_wal_receive_lsn() in bytes
  std::optional<double> replay_bytes;        // pg_last_wal_replay_lsn() in bytes
  std::optional<double> replay_age_seconds;
};

// Every statement, in the order issued after the role check (for docs and the benchmark).
const std::vector<std::string_view>& queries();

Result<SenderFigures> read_senders(pg::Connection& db);
Result<ReceiverFigures> read_receiver(pg::Connection& db);

// The standby's own view, lags measured against the primary's position when known.
StandbyView standby_view(const std::string& name, const ReceiverFigures& r, std::optional<double> primary_position);

}  // namespace hsops::checks::replication
