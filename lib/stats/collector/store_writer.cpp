// The write side of PgStore: writer threads that take the queued reports and store each batch
// as one COPY (group commit), answering every report once its batch is committed.
#include "stats/collector/store.h"

#include <array>
#include <charconv>
#include <chrono>
#include <future>

namespace hsops::stats {
namespace {

// The report fields stored as columns, by index into report_fields(): all but the server
// name (only its pseudonym is kept) and server_context (free text).
const std::vector<std::size_t>& stored_fields() {
  static const std::vector<std::size_t> indexes = [] {
    std::vector<std::size_t> out;
    const auto& fields = report_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name != "homeserver" && fields[i].name != "server_context") out.push_back(i);
    }
    return out;
  }();
  return indexes;
}

template <typename Number>
void append_number(std::string& out, Number n) {
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, n).ptr;
  out.append(text, end);
}

void append_copy_value(std::string& out, const FieldValue& v) {
  using Kind = FieldValue::Kind;
  switch (v.kind) {
    case Kind::integer: return append_number(out, v.integer);
    case Kind::unsigned_integer: return append_number(out, v.unsigned_integer);
    case Kind::number: return append_number(out, v.number);  // shortest text that reads back exactly
    case Kind::text: return pg::append_copy_text(out, v.text);
    default: out += "\\N"; return;
  }
}

}  // namespace

PgStore::PgStore(std::string conninfo, pg::Options options, PgStoreOptions store_options)
    : conninfo_(std::move(conninfo)), options_(std::move(options)), store_options_(store_options) {
  store_options_.connections = std::max<std::size_t>(store_options_.connections, 1);
  store_options_.max_batch = std::max<std::size_t>(store_options_.max_batch, 1);
  for (std::size_t i = 0; i < std::max<std::size_t>(store_options_.writers, 1); ++i) {
    writers_.emplace_back([this] { write_loop(); });
  }
}

PgStore::~PgStore() { close(); }

void PgStore::close() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& t : writers_) {
    if (t.joinable()) t.join();  // each drains the queue before it ends
  }
}


bool is_row_error(const Error& e) {
  if (e.kind != ErrorKind::sql) return false;
  const std::string state = pg::sqlstate_of(e.message);
  return state.rfind("22", 0) == 0 || state.rfind("23", 0) == 0;
}

const std::string& copy_columns() {
  static const std::string columns = [] {
    std::string c = "server_pseudonym, server_version";
    for (const auto i : stored_fields()) c += ", " + std::string(report_fields()[i].name);
    return c;
  }();
  return columns;
}

void append_copy_row(std::string& out, const StoredReport& r) {
  pg::append_copy_text(out, r.pseudonym);
  out += '\t';
  pg::append_copy_text(out, r.server_version);
  for (const auto i : stored_fields()) {
    out += '\t';
    append_copy_value(out, r.report.values[i]);
  }
  out += '\n';
}

void PgStore::deliver_on(std::function<std::size_t()> origin,
                         std::function<void(std::size_t, std::function<void()>)> deliver) {
  origin_ = std::move(origin);
  deliver_ = std::move(deliver);
}

void PgStore::submit(StoredReport report, Committed done) {
  {
    std::unique_lock lock(queue_mutex_);
    if (stopping_ || queue_.size() >= store_options_.max_queued) {
      // Bounded memory: a database that cannot keep up turns into 503s, not an ever-growing queue.
      const bool closing = stopping_;
      lock.unlock();
      done(Error{ErrorKind::busy, closing ? "the collector is shutting down" : "too many reports waiting for the database"});
      return;
    }
    queue_.push_back(Pending{std::move(report), std::move(done), origin_ ? origin_() : 0});
    // Writers sleep only on an empty queue: wake one for the first report, not for every one
    // (a writer that leaves reports behind wakes the next itself).
    if (queue_.size() != 1) return;
  }
  queued_.notify_one();
}

std::size_t PgStore::queued() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

Result<bool> PgStore::insert(const StoredReport& report) {
  std::promise<Result<bool>> promise;
  auto future = promise.get_future();
  submit(report, [&promise](Result<bool> result) { promise.set_value(std::move(result)); });
  return future.get();
}

namespace {

Result<bool> open_connection(std::optional<pg::Connection>& conn, const std::string& conninfo,
                             const pg::Options& options) {
  if (conn && conn->connected()) return true;
  conn.reset();
  auto opened = pg::Connection::open(conninfo, options);
  if (!opened) return opened.error();
  conn.emplace(std::move(opened).value());
  return true;
}

// Built once: every batch sends it.
const std::string& copy_statement() {
  static const std::string statement = "COPY reports (" + copy_columns() + ") FROM STDIN";
  return statement;
}

Result<bool> all_copied(const Result<long>& copied, std::size_t count) {
  if (!copied) return copied.error();
  if (static_cast<std::size_t>(*copied) != count) {
    // Not a row error: the batch is committed as far as it went, a retry would duplicate rows.
    return Error{ErrorKind::copy_count, "COPY stored " + std::to_string(*copied) + " of " + std::to_string(count) + " reports"};
  }
  return true;
}

}  // namespace

// One of a writer's two connections, and how far its next COPY has got.
struct PgStore::Link {
  enum class Copy { none, starting, ready };
  std::optional<pg::Connection> conn;
  Copy copy = Copy::none;
};

void PgStore::start_copy_early(Link& link) {
  link.copy = Link::Copy::none;
  if (!open_connection(link.conn, conninfo_, options_)) return;  // the batch that needs it retries
  if (link.conn->start_copy(copy_statement())) link.copy = Link::Copy::starting;
}

Result<bool> PgStore::ready_copy(Link& link) {
  if (link.copy == Link::Copy::ready) return true;
  if (link.copy == Link::Copy::starting) {
    auto ready = link.conn->await_copy_ready();
    link.copy = ready ? Link::Copy::ready : Link::Copy::none;
    // Refused by a live server (read-only after a failover, ...): that is the answer. A lost
    // connection: nothing was sent on it yet, so try once more on a new one.
    if (ready || link.conn->connected()) return ready;
  }
  auto opened = open_connection(link.conn, conninfo_, options_);
  if (!opened) return opened.error();
  auto started = link.conn->start_copy(copy_statement());
  if (!started) return started.error();
  auto ready = link.conn->await_copy_ready();
  if (ready) link.copy = Link::Copy::ready;
  return ready;
}

void PgStore::end_copy(Link& link) {
  if (link.copy == Link::Copy::none) return;
  const bool ready = link.copy == Link::Copy::ready || link.conn->await_copy_ready();
  link.copy = Link::Copy::none;
  // Zero rows: commits an empty transaction and frees the connection for the next statement.
  // A failure here loses nothing (no report was in it); the connection is reopened when needed.
  if (ready && link.conn->send_copy_rows({})) (void)link.conn->await_copy_done();
}

// The COPY text of batch[first, first + count).
std::string PgStore::copy_rows(const std::vector<Pending>& batch, std::size_t first, std::size_t count) {
  std::string data;
  data.reserve(count * 512);
  for (std::size_t i = first; i < first + count; ++i) append_copy_row(data, batch[i].report);
  return data;
}

Result<bool> PgStore::commit_batch(Link& now, Link& next, const std::vector<Pending>& batch) {
  const std::string data = copy_rows(batch, 0, batch.size());
  auto ready = ready_copy(now);
  if (!ready) return ready.error();
  now.copy = Link::Copy::none;
  auto sent = now.conn->send_copy_rows(data);
  if (!sent) return sent.error();
  // While this batch commits, the next COPY is sent and parsed on the other connection.
  start_copy_early(next);
  return all_copied(now.conn->await_copy_done(), batch.size());
}

void PgStore::deliver(std::vector<Pending>& batch, std::vector<Result<bool>>& results) {
  using Answers = std::vector<std::pair<Committed, Result<bool>>>;
  std::vector<Answers> by_origin;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::size_t origin = deliver_ ? batch[i].origin : 0;
    if (by_origin.size() <= origin) by_origin.resize(origin + 1);
    by_origin[origin].emplace_back(std::move(batch[i].done), std::move(results[i]));
  }
  for (std::size_t origin = 0; origin < by_origin.size(); ++origin) {
    if (by_origin[origin].empty()) continue;
    auto answer = [answers = std::move(by_origin[origin])]() mutable {
      for (auto& [done, result] : answers) done(std::move(result));
    };
    // The callbacks are destroyed with `answer`: a callback may hold its HTTP connection open.
    if (deliver_) {
      deliver_(origin, std::move(answer));
    } else {
      answer();
    }
  }
}

void PgStore::write_loop() {
  // Two connections taking turns: while one commits a batch, the other already has the next
  // COPY statement sent and parsed, which takes a round trip to the server off the path every
  // waiting report waits on. Only one commits at a time, so batches keep their size.
  std::array<Link, 2> links;
  std::size_t current = 0;
  std::vector<Pending> batch;
  const auto has_work = [this] { return !queue_.empty() || stopping_; };
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      if (links[current].copy != Link::Copy::none &&
          !queued_.wait_for(lock, store_options_.early_copy_idle, has_work)) {
        lock.unlock();
        end_copy(links[current]);
        continue;
      }
      queued_.wait(lock, has_work);
      if (queue_.empty()) {  // stopping, and everything queued is written
        lock.unlock();
        end_copy(links[current]);
        return;
      }
      const std::size_t take = std::min(queue_.size(), store_options_.max_batch);
      batch.clear();
      for (std::size_t i = 0; i < take; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // A backlog: let the other writer start on the next batch meanwhile.
      if (!queue_.empty()) queued_.notify_one();
    }
    Link& now = links[current];
    std::vector<Result<bool>> results;
    Result<bool> result = commit_batch(now, links[1 - current], batch);
    if (!result && batch.size() > 1 && is_row_error(result.error())) {
      // The server rejected a row's data: find the bad row(s) instead of failing every report.
      // Anything else (connection, timeout, read-only after a failover) fails the rest at once.
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (i > 0 && !results.back() && !is_row_error(results.back().error())) {
          results.push_back(results.back());
          continue;
        }
        results.push_back(write_batch(now.conn, batch, i, 1));
      }
    } else {
      results.assign(batch.size(), result);
    }
    deliver(batch, results);
    batch = {};
    current = 1 - current;
  }
}

Result<bool> PgStore::write_batch(std::optional<pg::Connection>& conn, const std::vector<Pending>& batch,
                                  std::size_t first, std::size_t count) {
  auto opened = open_connection(conn, conninfo_, options_);
  if (!opened) return opened.error();
  // One COPY in autocommit: when it returns, every row is committed, so the 200s that follow
  // never acknowledge a lost report.
  return all_copied(conn->copy_in(copy_statement(), copy_rows(batch, first, count)), count);
}

}  // namespace hsops::stats
