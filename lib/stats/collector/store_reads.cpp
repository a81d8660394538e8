// The read side of PgStore: a small pool of connections for /metrics, /health and retention,
// kept apart from the writers' connections so reads never wait behind a COPY.
#include "stats/collector/store.h"

namespace hsops::stats {

Result<std::unique_ptr<pg::Connection>> PgStore::acquire() {
  {
    std::unique_lock lock(mutex_);
    // Bounded wait: a pool starved by stuck queries answers 503 instead of queueing forever.
    const bool got = available_.wait_for(lock, options_.statement_timeout + options_.connect_timeout,
                                         [&] { return !idle_.empty() || open_ < store_options_.connections; });
    if (!got) return Error{ErrorKind::timeout, "no database connection free"};
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
  }
  auto opened = pg::Connection::open(conninfo_, options_);
  if (!opened) {
    std::lock_guard lock(mutex_);
    --open_;
    available_.notify_one();
    return opened.error();
  }
  return std::make_unique<pg::Connection>(std::move(opened).value());
}

void PgStore::release(std::unique_ptr<pg::Connection> conn) {
  std::lock_guard lock(mutex_);
  if (conn && conn->connected()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;  // dropped: the next acquire opens a fresh one
  }
  available_.notify_one();
}

// RAII: the connection goes back to the pool on every path.
class PgStore::Lease {
 public:
  Lease(PgStore& store, std::unique_ptr<pg::Connection> conn) : store_(store), conn_(std::move(conn)) {}
  ~Lease() { store_.release(std::move(conn_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  pg::Connection& db() { return *conn_; }

 private:
  PgStore& store_;
  std::unique_ptr<pg::Connection> conn_;
};

Result<std::vector<ServerFigures>> latest_report_per_server(pg::Connection& db, const std::string& where,
                                                           const pg::Params& params) {
  const auto& figures = aggregated_figures();
  std::string columns;
  for (const auto& f : figures) columns += f + ", ";
  auto rows = db.query("SELECT DISTINCT ON (server_pseudonym) " + columns +
                           "server_version, coalesce(database_engine, 'unknown') FROM reports WHERE " + where +
                           " ORDER BY server_pseudonym, received_at DESC, id DESC",
                       params);
  if (!rows) return rows.error();
  std::vector<ServerFigures> out;
  out.reserve(rows->size());
  for (const auto& row : rows->rows) {
    ServerFigures s;
    for (std::size_t i = 0; i < figures.size(); ++i) {
      if (row[i]) s.counts[figures[i]] = std::stoll(*row[i]);
    }
    s.version = row[figures.size()].value_or("unknown");
    s.database_engine = row[figures.size() + 1].value_or("unknown");
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<ServerFigures>> PgStore::latest_per_server() {
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  return latest_report_per_server(lease.db(), "received_at > now() - interval '24 hours'");
}

Result<std::int64_t> PgStore::purge_older_than(int days) {
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  auto rows = lease.db().query("DELETE FROM reports WHERE received_at < now() - make_interval(days => $1::int)",
                               {std::to_string(days)});
  if (!rows) return rows.error();
  return static_cast<std::int64_t>(rows->affected);
}

Result<bool> PgStore::healthy() {
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  auto rows = lease.db().query("SELECT 1");
  if (!rows) return rows.error();
  return true;
}

}  // namespace hsops::stats
