// Where the collector keeps reports: PostgreSQL through lib/pg, schema created and migrated by
// versioned migrations recorded in schema_migrations. A row holds the pseudonym and the
// validated figures only: no server name, no client address, no server_context (free text).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "stats/collector/aggregate.h"
#include "stats/report.h"

namespace hsops::stats {

struct StoredReport {
  std::string pseudonym;       // HMAC of the server name
  std::string server_version;  // from User-Agent "Synapse/<v>", safe_label'd, or "unknown"
  ReportRow report;            // homeserver dropped
};

// Called once a submitted report is committed (true) or failed (error); on a store thread.
using Committed = std::function<void(Result<bool>)>;

// The store the ingest path talks to; an interface so the handler is unit-testable.
class ReportStore {
 public:
  virtual ~ReportStore() = default;
  // Returns once the row is committed: the caller acknowledges only after this.
  virtual Result<bool> insert(const StoredReport& report) = 0;
  // Asynchronous insert: `done` runs once the row is committed or has failed. The default
  // runs insert() in the caller's thread.
  virtual void submit(StoredReport report, Committed done) { done(insert(report)); }
  // Each server once: its latest report received in the last 24 hours.
  virtual Result<std::vector<ServerFigures>> latest_per_server() = 0;
  // Deletes reports received more than `days` ago; returns how many.
  virtual Result<std::int64_t> purge_older_than(int days) = 0;
  virtual Result<bool> healthy() = 0;
};

// The migrations in order (exposed so tests can check they are append-only).
struct Migration {
  int version;
  std::string description;
  std::vector<std::string> statements;
};
const std::vector<Migration>& migrations();

// Applies missing migrations under an advisory lock (two collectors starting together do not
// race), each in its own transaction. Returns the schema version reached.
Result<int> migrate(pg::Connection& db);

struct PublicationState {
  bool reader_role = false;  // hsops_stats_reader exists (so Grafana's role can be granted it)
};

// Run at every start after migrate(): the k-suppressed public_daily_* views (migration 5) take
// k from the collector's `k_anonymity`, and the reader role gets its grants if it exists (a DBA
// may have created it since the last start).
Result<PublicationState> publish_settings(pg::Connection& db, std::int64_t k_anonymity);

struct PgStoreOptions {
  std::size_t connections = 2;   // pool for reads (/metrics, /health) and retention
  // Writer threads, each with its own connection. One: its batches grow while it commits, and
  // fewer, larger commits cost PostgreSQL less per report than two writers' half-size ones.
  std::size_t writers = 1;
  std::size_t max_batch = 1000;  // reports per COPY
  std::size_t max_queued = 50000;  // beyond this submit() fails at once ("busy"): memory stays bounded
  // A writer opens its next COPY while a batch commits; an open COPY holds a transaction (and a
  // snapshot that holds back vacuum) open, so it is ended after this long without reports.
  std::chrono::milliseconds early_copy_idle{20};
};

// PostgreSQL-backed store. Writes are a group commit: submit() queues the report and returns;
// writer threads take whatever is queued (up to max_batch) and write it as one COPY (one
// statement, one commit), then call every report's `done`. With a writer busy committing, the
// next batch gathers meanwhile, so batches grow with the load. If a batch is rejected by the
// server (not a lost connection), its reports are retried one by one so a single bad row
// cannot fail its neighbours. The destructor writes what is still queued before returning.
class PgStore : public ReportStore {
 public:
  PgStore(std::string conninfo, pg::Options options, PgStoreOptions store_options = {});
  ~PgStore() override;  // close()
  // Stops taking reports, writes what is queued and stops the writers. Idempotent.
  void close();
  // Where the `done` callbacks of a committed batch run: by default on the writer thread. The
  // collector passes its HTTP threads: `origin`, called in submit() on the submitting thread,
  // names where that report's answer goes, and `deliver(origin, answers)` runs the answers of
  // one batch for one origin (one hand-over per batch and origin). Set before the first submit.
  void deliver_on(std::function<std::size_t()> origin, std::function<void(std::size_t, std::function<void()>)> deliver);
  // Reports waiting for a writer.
  std::size_t queued() const;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  // Waits for the commit. Not for use once the collector's HTTP threads have stopped (the
  // answer is delivered there when deliver_on is set).
  Result<bool> insert(const StoredReport& report) override;
  void submit(StoredReport report, Committed done) override;
  Result<std::vector<ServerFigures>> latest_per_server() override;
  Result<std::int64_t> purge_older_than(int days) override;
  Result<bool> healthy() override;

 private:
  class Lease;
  struct Pending {
    StoredReport report;
    Committed done;
    std::size_t origin = 0;  // see deliver_on
  };
  struct Link;
  void write_loop();
  void deliver(std::vector<Pending>& batch, std::vector<Result<bool>>& results);
  void start_copy_early(Link& link);
  Result<bool> ready_copy(Link& link);
  void end_copy(Link& link);
  Result<bool> commit_batch(Link& now, Link& next, const std::vector<Pending>& batch);
  static std::string copy_rows(const std::vector<Pending>& batch, std::size_t first, std::size_t count);
  Result<bool> write_batch(std::optional<pg::Connection>& conn, const std::vector<Pending>& batch,
                           std::size_t first, std::size_t count);
  Result<std::unique_ptr<pg::Connection>> acquire();
  void release(std::unique_ptr<pg::Connection> conn);

  std::string conninfo_;
  pg::Options options_;
  PgStoreOptions store_options_;
  std::size_t open_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pg::Connection>> idle_;
  mutable std::mutex queue_mutex_;
  std::condition_variable queued_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
  std::function<std::size_t()> origin_;
  std::function<void(std::size_t, std::function<void()>)> deliver_;
};

// Each server once, its latest report among those `where` selects (a constant SQL condition,
// values only as $n parameters): what the aggregates are computed from (/metrics, roll-up).
Result<std::vector<ServerFigures>> latest_report_per_server(pg::Connection& db, const std::string& where,
                                                           const pg::Params& params = {});

// Whether a failed write is about a row's data (SQLSTATE class 22, data exception, or 23,
// integrity constraint) and worth retrying row by row; other errors (57P01 shutdown, 25006
// read-only after a failover, 53xxx out of resources, a lost connection) are about the server.
bool is_row_error(const Error& error);
// One report as a line of COPY text format, columns in copy_columns() order.
void append_copy_row(std::string& out, const StoredReport& report);
// "server_pseudonym, server_version, <every stored field>" (constants, never request input).
const std::string& copy_columns();

}  // namespace hsops::stats
