// Where the collector keeps reports: PostgreSQL through lib/pg, schema created and migrated by
// versioned migrations recorded in schema_migrations. A row holds the pseudonym and the
// validated figures only: no server name, no client address, no server_context (free text).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "stats/aggregate.h"
#include "stats/report.h"

namespace hsops::stats {

struct StoredReport {
  std::string pseudonym;       // HMAC of the server name
  std::string server_version;  // from User-Agent "Synapse/<v>", safe_label'd, or "unknown"
  Report report;
};

// The store the ingest path talks to; an interface so the handler is unit-testable.
class ReportStore {
 public:
  virtual ~ReportStore() = default;
  // Returns once the row is committed: the caller acknowledges only after this.
  virtual Result<bool> insert(const StoredReport& report) = 0;
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

// PostgreSQL-backed store with a small connection pool (one connection per worker thread);
// a broken connection is reopened on next use. insert() is a group commit: concurrent callers
// queue their rows, one of them writes the whole queue as one multi-row INSERT (one commit,
// one WAL flush) and every caller returns once that commit is done (or failed).
class PgStore : public ReportStore {
 public:
  PgStore(std::string conninfo, pg::Options options, std::size_t connections);
  Result<bool> insert(const StoredReport& report) override;
  Result<std::vector<ServerFigures>> latest_per_server() override;
  Result<std::int64_t> purge_older_than(int days) override;
  Result<bool> healthy() override;

 private:
  class Lease;
  struct Waiter;
  Result<bool> write_batch(const std::vector<std::shared_ptr<Waiter>>& batch);
  Result<std::unique_ptr<pg::Connection>> acquire();
  void release(std::unique_ptr<pg::Connection> conn);

  std::string conninfo_;
  pg::Options options_;
  std::size_t capacity_;
  std::size_t open_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pg::Connection>> idle_;
  std::mutex batch_mutex_;
  std::condition_variable batch_done_;
  std::vector<std::shared_ptr<Waiter>> queue_;
  bool writing_ = false;
};

}  // namespace hsops::stats
