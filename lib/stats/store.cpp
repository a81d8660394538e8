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

Result<bool> PgStore::insert(const StoredReport& r) {
  static const std::vector<std::string> fields = stored_fields();
  static const std::string sql = [] {
    std::string columns = "server_pseudonym, server_version";
    std::string values = "$1, $2";
    int n = 2;
    for (const auto& f : fields) {
      columns += ", " + f;
      const auto* spec = find_field(f);
      const char* cast = spec->type == FieldType::count ? "::bigint" : spec->type == FieldType::number ? "::float8" : "";
      values += ", $" + std::to_string(++n) + cast;
    }
    return "INSERT INTO reports (" + columns + ") VALUES (" + values + ")";
  }();
  pg::Params params = {r.pseudonym, r.server_version};
  for (const auto& f : fields) {
    const auto it = r.report.fields.find(f);
    params.push_back(it == r.report.fields.end() ? std::nullopt : text_of(*it));
  }
  auto conn = acquire();
  if (!conn) return conn.error();
  Lease lease(*this, std::move(conn).value());
  // One statement in autocommit: when it returns, the row is committed (and fsynced per the
  // server's synchronous_commit), so the 200 that follows never acknowledges a lost report.
  auto done = lease.db().query(sql, params);
  if (!done) return done.error();
  return true;
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
