// libpq RAII wrapper: one Connection owns one PGconn. Statements take parameters only
// (PQexecParams-style; never string-built SQL), every connection has a connect timeout and a
// statement timeout, and every failure comes back as a value with a reason. Passwords never
// appear in error messages.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct pg_conn;    // PGconn, kept out of this header
struct pg_result;  // PGresult

namespace hsops::pg {

struct Options {
  // Whole connection set-up (TCP, TLS, authentication). libpq counts whole seconds, at least 2.
  std::chrono::milliseconds connect_timeout{5000};
  // Server-side statement_timeout; the client also gives up (and drops the connection) a
  // little after it, so a peer that stops answering cannot hang a query.
  std::chrono::milliseconds statement_timeout{10000};
  std::string application_name = "hsops";
};

using Value = std::optional<std::string>;  // NULL is nullopt; everything else in text format
using Params = std::vector<Value>;

struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;
  long affected = 0;  // rows affected by INSERT/UPDATE/DELETE (PQcmdTuples), else 0

  std::size_t size() const { return rows.size(); }
  bool empty() const { return rows.empty(); }
  // Column index by name, or nullopt.
  std::optional<std::size_t> column(std::string_view name) const;
  // The value at (row, column name); throws std::out_of_range for a bad row or name.
  const Value& at(std::size_t row, std::string_view column_name) const;
};

// Error kinds: "connect" (could not connect / connection lost), "timeout" (statement timed
// out, server- or client-side), "sql" (the server rejected the statement; message carries the
// SQLSTATE).
class Connection {
 public:
  // Opens a connection from a libpq conninfo string ("host=... port=... user=...") or URI.
  // Options override the same keys in conninfo.
  static Result<Connection> open(const std::string& conninfo, const Options& options = {});

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // One statement with $1..$n parameters (text format). Results are text; NULL is nullopt.
  Result<Rows> query(const std::string& sql, const Params& params = {});

  // COPY ... FROM STDIN: sends `data` (COPY text format, see append_copy_field) as one
  // statement under the same deadline as query(); returns the number of rows copied. Much
  // cheaper for the server than a wide multi-row INSERT (no parse of thousands of parameters).
  Result<long> copy_in(const std::string& copy_sql, std::string_view data);
  // copy_in in its four steps, each under its own deadline, so that a caller with two
  // connections can open the next COPY while the previous one commits. In order:
  // start_copy sends the statement; await_copy_ready waits until the server takes rows;
  // send_copy_rows sends them and ends the COPY; await_copy_done waits for the commit (in
  // autocommit) and returns the rows copied. Any failure leaves the connection usable for a
  // new statement, or closed (connected() false) when its state is unknown.
  Result<bool> start_copy(const std::string& copy_sql);
  Result<bool> await_copy_ready();
  Result<bool> send_copy_rows(std::string_view data);
  Result<long> await_copy_done();

  bool connected() const;
  // "user@host:port/dbname", never the password.
  const std::string& target() const { return target_; }
  int server_version() const;  // e.g. 150020; 0 when not connected

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  Connection(pg_conn* conn, std::string target, Options options);
  void close();
  Result<bool> ensure_open();
  TimePoint deadline() const;
  Result<bool> wait_socket(bool for_write, TimePoint until);
  Result<bool> wait_ready(TimePoint until);
  Result<Rows> collect(TimePoint until);
  Error result_error(pg_result* result);
  Error fail_and_close(const std::string& what);  // "PostgreSQL <target>: <what>: <libpq's message>"
  Error not_connected() const;

  pg_conn* conn_ = nullptr;
  std::string target_;
  Options options_;
};

// ---- pure helpers (exposed for tests) -------------------------------------------------------

// libpq's connect_timeout in whole seconds: rounded up, at least 2 (libpq treats 1 as 2).
int connect_timeout_seconds(std::chrono::milliseconds timeout);
// The libpq "options" value that sets statement_timeout for the session.
std::string session_options(const Options& options);
// Appends one field in COPY text format: NULL as \N; backslash, tab, newline and carriage
// return escaped (the caller puts '\t' between fields and '\n' after the row).
void append_copy_field(std::string& line, const Value& value);
// The same for a present value.
void append_copy_text(std::string& line, std::string_view text);
// Replaces the value of any password=... (keyword form) or the password in a URI with "***".
std::string redact_conninfo(std::string_view conninfo);
// The SQLSTATE an error message from this library carries ("... (SQLSTATE 23514)"), or "".
std::string sqlstate_of(std::string_view message);
// "timeout" for SQLSTATE 57014 (query_canceled, which statement_timeout raises), else "sql".
ErrorKind error_kind_for_sqlstate(std::string_view sqlstate);
// Trims trailing whitespace and replaces newlines with "; " (libpq messages end in "\n" and
// may span lines), and removes every occurrence of `secret` when it is non-empty.
std::string tidy_message(std::string_view message, std::string_view secret = {});

}  // namespace hsops::pg
