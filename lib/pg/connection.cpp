#include "pg/connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <utility>

namespace hsops::pg {

namespace {

using Clock = std::chrono::steady_clock;

// The client gives up this long after the server-side statement_timeout should have fired.
constexpr std::chrono::milliseconds kClientGrace{2000};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

struct ConninfoDeleter {
  void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
};
using ConninfoPtr = std::unique_ptr<PQconninfoOption, ConninfoDeleter>;

// The password in a conninfo string (keyword or URI form), to scrub it from messages.
std::string password_of(const std::string& conninfo) {
  char* err = nullptr;
  ConninfoPtr opts(PQconninfoParse(conninfo.c_str(), &err));
  if (err != nullptr) PQfreemem(err);
  if (!opts) return {};
  for (PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "password" && o->val != nullptr) return o->val;
  }
  return {};
}

std::string describe_target(PGconn* conn) {
  auto str = [](const char* s) { return std::string(s != nullptr ? s : ""); };
  std::string host = str(PQhost(conn));
  std::string out = str(PQuser(conn)) + "@" + (host.empty() ? "localhost" : host) + ":" + str(PQport(conn)) +
                    "/" + str(PQdb(conn));
  return out;
}

std::string quote_value(std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" \t\n'\\") == std::string_view::npos;
  if (plain) return std::string(v);
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

}  // namespace

// ---- pure helpers ---------------------------------------------------------------------------

int connect_timeout_seconds(std::chrono::milliseconds timeout) {
  auto ms = timeout.count();
  if (ms <= 0) return 2;
  auto s = static_cast<int>((ms + 999) / 1000);
  return std::max(s, 2);
}

std::string session_options(const Options& options) {
  auto ms = std::max<long long>(options.statement_timeout.count(), 0);
  return "-c statement_timeout=" + std::to_string(ms);
}

std::string redact_conninfo(std::string_view conninfo) {
  std::string text(conninfo);
  char* err = nullptr;
  ConninfoPtr opts(PQconninfoParse(text.c_str(), &err));
  if (err != nullptr) PQfreemem(err);
  if (!opts) return "(unparsable connection string)";
  std::string out;
  for (PQconninfoOption* o = opts.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view key(o->keyword);
    if (!out.empty()) out += ' ';
    out += std::string(key) + "=";
    out += key == "password" ? std::string("***") : quote_value(o->val);
  }
  return out;
}

ErrorKind error_kind_for_sqlstate(std::string_view sqlstate) {
  return sqlstate == "57014" ? ErrorKind::timeout : ErrorKind::sql;
}

std::string tidy_message(std::string_view message, std::string_view secret) {
  std::string out(message);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ' || out.back() == '\r' || out.back() == '\t')) {
    out.pop_back();
  }
  for (std::size_t pos = 0; (pos = out.find('\n', pos)) != std::string::npos;) {
    out.replace(pos, 1, "; ");
    pos += 2;
  }
  if (!secret.empty()) {
    for (std::size_t pos = 0; (pos = out.find(secret, pos)) != std::string::npos;) {
      out.replace(pos, secret.size(), "***");
      pos += 3;
    }
  }
  return out;
}

// ---- Rows -----------------------------------------------------------------------------------

std::optional<std::size_t> Rows::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

const Value& Rows::at(std::size_t row, std::string_view column_name) const {
  auto c = column(column_name);
  if (!c) throw std::out_of_range("no column named '" + std::string(column_name) + "' in the result");
  return rows.at(row).at(*c);
}

// ---- Connection -----------------------------------------------------------------------------

Connection::Connection(pg_conn* conn, std::string target, Options options)
    : conn_(conn), target_(std::move(target)), options_(std::move(options)) {}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      target_(std::move(other.target_)),
      options_(std::move(other.options_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    conn_ = std::exchange(other.conn_, nullptr);
    target_ = std::move(other.target_);
    options_ = std::move(other.options_);
  }
  return *this;
}

Connection::~Connection() { close(); }

void Connection::close() {
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

bool Connection::connected() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

int Connection::server_version() const { return connected() ? PQserverVersion(conn_) : 0; }

Result<Connection> Connection::open(const std::string& conninfo, const Options& options) {
  const std::string secret = password_of(conninfo);
  const std::string timeout = std::to_string(connect_timeout_seconds(options.connect_timeout));
  const std::string session = session_options(options);
  // dbname first with expand_dbname=1: the conninfo is expanded, later keys override it.
  const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), timeout.c_str(), session.c_str(), options.application_name.c_str(),
                          nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr) return Error{ErrorKind::connect, "PostgreSQL: out of memory while connecting"};
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string target = describe_target(conn);
    std::string why = tidy_message(PQerrorMessage(conn), secret);
    PQfinish(conn);
    if (why.find("timeout expired") != std::string::npos) {
      why = "no answer within " + timeout + " s (connect_timeout): " + why;
    }
    return Error{ErrorKind::connect, "cannot connect to PostgreSQL " + target + ": " + why};
  }
  std::string target = describe_target(conn);
  return Connection(conn, std::move(target), options);
}

Result<bool> Connection::ensure_open() {
  if (conn_ == nullptr) {
    return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": the connection was closed (after an earlier timeout or error)"};
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    // One reset attempt: a restarted server (or a failover drill) should not need a new object.
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": connection lost: " + tidy_message(PQerrorMessage(conn_))};
    }
  }
  return true;
}

std::chrono::steady_clock::time_point Connection::deadline() const {
  if (options_.statement_timeout.count() <= 0) return Clock::time_point::max();
  return Clock::now() + options_.statement_timeout + kClientGrace;
}

// Waits for the socket (readable, or writable when `for_write`) until `until`. On the deadline
// the connection is dropped: a cancel request would need a new TCP connection to a peer that
// may not answer.
Result<bool> Connection::wait_socket(bool for_write, Clock::time_point until) {
  int wait_ms = -1;
  if (until != Clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) {
      close();
      return Error{ErrorKind::timeout, "PostgreSQL " + target_ + ": no answer within " +
                                  std::to_string((options_.statement_timeout + kClientGrace).count()) +
                                  " ms; connection closed"};
    }
    wait_ms = static_cast<int>(std::min<long long>(left, 1000 * 60 * 60));
  }
  // While sending, also read: libpq asks callers to consume input when the server talks back
  // (an error or notice mid-COPY), or both sides could wait on full buffers.
  pollfd pfd{PQsocket(conn_), static_cast<short>(for_write ? (POLLOUT | POLLIN) : POLLIN), 0};
  int rc = ::poll(&pfd, 1, wait_ms);
  if (rc < 0 && errno != EINTR) return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": poll failed while waiting"};
  if (rc > 0 && (pfd.revents & (POLLIN | POLLERR | POLLHUP)) != 0 && PQconsumeInput(conn_) == 0) {
    return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": connection lost: " + tidy_message(PQerrorMessage(conn_))};
  }
  return true;
}

Result<bool> Connection::wait_ready(Clock::time_point until) {
  while (PQisBusy(conn_) != 0) {
    auto waited = wait_socket(false, until);
    if (!waited) return waited.error();
  }
  return true;
}

Error Connection::result_error(pg_result* r) {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string sqlstate = state != nullptr ? state : "";
  std::string msg = tidy_message(PQresultErrorMessage(r));
  if (msg.empty()) msg = tidy_message(PQerrorMessage(conn_));
  if (sqlstate.empty() && PQstatus(conn_) != CONNECTION_OK) {
    return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": connection lost: " + msg};
  }
  return Error{error_kind_for_sqlstate(sqlstate),
               "PostgreSQL " + target_ + ": " + msg + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")")};
}

Result<Rows> Connection::collect(Clock::time_point until) {
  auto ready = wait_ready(until);
  if (!ready) return ready.error();
  std::optional<Error> error;
  ResultPtr last;
  while (PGresult* raw = PQgetResult(conn_)) {
    ResultPtr r(raw);
    ExecStatusType st = PQresultStatus(r.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY && !error) {
      error = result_error(r.get());
    }
    last = std::move(r);
    // Between results libpq may need more input: keep honouring the deadline.
    ready = wait_ready(until);
    if (!ready) return ready.error();
  }
  if (error) return *error;
  if (!last) return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": no result (connection lost?)"};

  Rows rows;
  PGresult* r = last.get();
  const int ncols = PQnfields(r);
  const int nrows = PQntuples(r);
  rows.columns.reserve(static_cast<std::size_t>(ncols));
  for (int c = 0; c < ncols; ++c) rows.columns.emplace_back(PQfname(r, c));
  rows.rows.reserve(static_cast<std::size_t>(nrows));
  for (int i = 0; i < nrows; ++i) {
    std::vector<Value> row;
    row.reserve(static_cast<std::size_t>(ncols));
    for (int c = 0; c < ncols; ++c) {
      if (PQgetisnull(r, i, c) != 0) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
      }
    }
    rows.rows.push_back(std::move(row));
  }
  const char* affected = PQcmdTuples(r);
  if (affected != nullptr && *affected != '\0') rows.affected = std::strtol(affected, nullptr, 10);
  return rows;
}

Result<Rows> Connection::query(const std::string& sql, const Params& params) {
  auto open = ensure_open();
  if (!open) return open.error();

  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);

  if (PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 0) == 0) {
    return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": could not send the statement: " +
                                tidy_message(PQerrorMessage(conn_))};
  }
  return collect(deadline());
}

Result<long> Connection::copy_in(const std::string& copy_sql, std::string_view data) {
  auto started = start_copy(copy_sql);
  if (!started) return started.error();
  auto ready = await_copy_ready();
  if (!ready) return ready.error();
  auto sent = send_copy_rows(data);
  if (!sent) return sent.error();
  return await_copy_done();
}

Error Connection::fail_and_close(const std::string& what) {
  Error e{ErrorKind::connect, "PostgreSQL " + target_ + ": " + what + ": " + tidy_message(PQerrorMessage(conn_))};
  close();  // the session's state is unknown: the next use starts afresh
  return e;
}

Error Connection::not_connected() const { return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": not connected"}; }

Result<bool> Connection::start_copy(const std::string& copy_sql) {
  auto open = ensure_open();
  if (!open) return open.error();
  if (PQsendQuery(conn_, copy_sql.c_str()) == 0) return fail_and_close("could not send COPY");
  return true;
}

Result<bool> Connection::await_copy_ready() {
  if (conn_ == nullptr) return not_connected();
  const auto until = deadline();
  auto ready = wait_ready(until);
  if (!ready) return ready.error();
  ResultPtr started(PQgetResult(conn_));
  if (!started) return Error{ErrorKind::connect, "PostgreSQL " + target_ + ": no answer to COPY (connection lost?)"};
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
    Error e = result_error(started.get());
    // Drain what follows under the same deadline, so the connection is ready for the next use.
    for (;;) {
      if (auto r = wait_ready(until); !r) return e;
      PGresult* rest = PQgetResult(conn_);
      if (rest == nullptr) break;
      PQclear(rest);
    }
    return e;
  }
  return true;
}

Result<bool> Connection::send_copy_rows(std::string_view data) {
  if (conn_ == nullptr) return not_connected();
  const auto until = deadline();
  // Non-blocking while sending, so a server that stops reading cannot hold us past the deadline.
  PQsetnonblocking(conn_, 1);
  constexpr std::size_t kChunk = 64 * 1024;
  std::optional<Error> failed;
  for (std::size_t at = 0; at < data.size() && !failed;) {
    const std::size_t n = std::min(kChunk, data.size() - at);
    const int put = PQputCopyData(conn_, data.data() + at, static_cast<int>(n));
    if (put == 1) {
      at += n;
    } else if (put == 0) {
      auto waited = wait_socket(true, until);
      if (!waited) failed = waited.error();
    } else {
      return fail_and_close("COPY failed");
    }
  }
  int ended = 0;
  while (!failed && (ended = PQputCopyEnd(conn_, nullptr)) == 0) {
    auto waited = wait_socket(true, until);
    if (!waited) failed = waited.error();
  }
  int flushed = 0;
  while (!failed && ended == 1 && (flushed = PQflush(conn_)) == 1) {
    auto waited = wait_socket(true, until);
    if (!waited) failed = waited.error();
  }
  if (failed) {
    if (conn_ != nullptr) close();  // mid-COPY: the session's state is unknown, start afresh
    return *failed;
  }
  if (ended < 0 || flushed < 0) return fail_and_close("COPY failed");
  PQsetnonblocking(conn_, 0);
  return true;
}

Result<long> Connection::await_copy_done() {
  if (conn_ == nullptr) return not_connected();
  auto done = collect(deadline());
  if (!done) return done.error();
  return done->affected;
}

std::string sqlstate_of(std::string_view message) {
  constexpr std::string_view marker = "(SQLSTATE ";
  const auto at = message.rfind(marker);
  if (at == std::string_view::npos || message.size() < at + marker.size() + 6) return "";
  const auto state = message.substr(at + marker.size(), 5);
  return message[at + marker.size() + 5] == ')' ? std::string(state) : "";
}

void append_copy_field(std::string& line, const Value& value) {
  if (!value) {
    line += "\\N";
    return;
  }
  append_copy_text(line, *value);
}

void append_copy_text(std::string& line, std::string_view text) {
  // Runs without a special character are copied whole (the common case: no escape at all).
  while (!text.empty()) {
    const auto special = text.find_first_of("\\\t\n\r");
    line.append(text.substr(0, special));
    if (special == std::string_view::npos) return;
    switch (text[special]) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      default: line += "\\r"; break;
    }
    text.remove_prefix(special + 1);
  }
}

}  // namespace hsops::pg
