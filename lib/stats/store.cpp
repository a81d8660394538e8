#include "stats/store.h"

namespace hsops::stats {
namespace {

std::vector<std::string> stored_fields() {
  std::vector<std::string> names;
  for (const auto& f : report_fields()) {
    if (f.name != "homeserver" && f.name != "server_context") names.emplace_back(f.name);
  }
  return names;
}

pg::Value text_of(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

PgStore::PgStore(std::string conninfo, pg::Options options, std::size_t connections)
    : conninfo_(std::move(conninfo)), options_(std::move(options)), capacity_(std::max<std::size_t>(connections, 1)) {}

Result<std::unique_ptr<pg::Connection>> PgStore::acquire() {
  {
    std::unique_lock lock(mutex_);
    // Bounded wait: a pool starved by stuck queries answers 503 instead of queueing forever.
    const bool got = available_.wait_for(lock, options_.statement_timeout + options_.connect_timeout,
                                         [&] { return !idle_.empty() || open_ < capacity_; });
    if (!got) return Error{"timeout", "no database connection free"};
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

struct PgStore::Waiter {
  const StoredReport* report;
  std::optional<Result<bool>> result;
};

namespace {
// PostgreSQL allows 65535 parameters per statement; 29 columns a row.
constexpr std::size_t kMaxBatch = 1000;
}  // namespace

Result<bool> PgStore::write_batch(const std::vector<std::shared_ptr<Waiter>>& batch) {
  static const std::vector<std::string> fields = stored_fields();
  static const std::string columns = [] {
    std::string c = "server_pseudonym, server_version";
    for (const auto& f : fields) c += ", " + f;
    return c;
  }();
  std::string sql = "INSERT INTO reports (" + columns + ") VALUES ";
  pg::Params params;
  params.reserve(batch.size() * (fields.size() + 2));
  int n = 0;
  for (std::size_t row = 0; row < batch.size(); ++row) {
    const StoredReport& r = *batch[row]->report;
    sql += row == 0 ? "($" : ", ($";
    sql += std::to_string(n + 1) + ", $" + std::to_string(n + 2);
    n += 2;
    params.push_back(r.pseudonym);
    params.push_back(r.server_version);
    for (const auto& f : fields) {
      const auto* spec = find_field(f);
      const char* cast = spec->type == FieldType::count ? "::bigint" : spec->type == FieldType::number ? "::float8" : "";
      sql += ", $" + std::to_string(++n) + cast;
      const auto it = r.report.fields.find(f);
      params.push_back(it == r.report.fields.end() ? std::nullopt : text_of(*it));
    }
    sql += ")";
  }
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  // One statement in autocommit: when it returns, every row is committed, so the 200s that
  // follow never acknowledge a lost report. A failure fails the whole batch (all get 503).
  auto done = lease.db().query(sql, params);
  if (!done) return done.error();
  return true;
}

Result<bool> PgStore::insert(const StoredReport& r) {
  auto me = std::make_shared<Waiter>(Waiter{&r, std::nullopt});
  std::unique_lock lock(batch_mutex_);
  queue_.push_back(me);
  while (!me->result) {
    if (writing_) {
      batch_done_.wait(lock);
      continue;
    }
    // Leader: write everything queued so far (this caller's row included, or already done).
    writing_ = true;
    const std::size_t take = std::min(queue_.size(), kMaxBatch);
    std::vector<std::shared_ptr<Waiter>> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    lock.unlock();
    const Result<bool> result = write_batch(batch);
    lock.lock();
    for (auto& w : batch) w->result = result;
    writing_ = false;
    batch_done_.notify_all();
  }
  return *me->result;
}

Result<std::vector<ServerFigures>> PgStore::latest_per_server() {
  const auto& figures = aggregated_figures();
  std::string columns;
  for (const auto& f : figures) columns += f + ", ";
  const std::string sql = "SELECT DISTINCT ON (server_pseudonym) " + columns +
                          "server_version, coalesce(database_engine, 'unknown') FROM reports "
                          "WHERE received_at > now() - interval '24 hours' "
                          "ORDER BY server_pseudonym, received_at DESC, id DESC";
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  auto rows = lease.db().query(sql);
  if (!rows) return rows.error();
  std::vector<ServerFigures> out;
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
