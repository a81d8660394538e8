// `hsops report-stats collect`: the figures Synapse reports, computed from its PostgreSQL with
// Synapse's own queries and windows (synapse/storage/databases/main/metrics.py,
// registration.py; docs/report-stats.md lists each field's semantics).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "pg/connection.h"
#include "stats/report.h"

namespace hsops::stats {

struct CollectOptions {
  std::string server_name;                // Synapse's server_name: the "sent" messages filter
  std::optional<std::string> server_context;
  std::int64_t now_seconds = 0;           // Unix seconds; the windows are relative to it
  std::optional<int> pid;                 // Synapse's pid: memory_rss / uptime from /proc
  std::string proc_root = "/proc";
};

// Runs every query on `db` (each bounded by the connection's statement timeout). Error kinds
// are lib/pg's ("connect", "timeout", "sql").
Result<Report> collect(pg::Connection& db, const CollectOptions& options);

// Synapse's stream_ordering_day_ago: the stream ordering of the first event received at or
// after `cutoff_ms`, found by the same binary search Synapse does (0 for no events, max+1 when
// nothing is that recent). Message counts then take stream_ordering strictly greater.
Result<std::int64_t> first_stream_ordering_after(pg::Connection& db, std::int64_t cutoff_ms);

// Peak RSS in kilobytes (VmHWM, what getrusage's ru_maxrss reports) from <proc>/<pid>/status.
std::optional<std::int64_t> peak_rss_kilobytes(const std::string& proc_root, int pid);

}  // namespace hsops::stats
