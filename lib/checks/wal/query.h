// The SQL the wal check issues (parameter-free, read-only, each under statement_timeout) and
// the figures it yields. Needs pg_monitor for pg_ls_waldir() and data_directory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/wal/verdict.h"
#include "core/result.h"
#include "pg/connection.h"

namespace hsops::checks::wal {

struct ServerFigures {
  bool in_recovery = false;
  double wal_position_bytes = 0;        // pg_current_wal_lsn() (receive LSN on a standby) in bytes
  double wal_dir_bytes = 0;             // sum of pg_ls_waldir() sizes
  std::size_t wal_files = 0;
  std::string data_directory;
  std::int64_t max_slot_wal_keep_size_mb = -1;
  std::vector<Slot> slots;
  Archiver archiver;
};

// Every statement, in the order issued after the role check (for docs and the benchmark).
const std::vector<std::string_view>& queries();

// Runs them; the first failure is returned as is (the caller words it).
Result<ServerFigures> read_figures(pg::Connection& db);

}  // namespace hsops::checks::wal
