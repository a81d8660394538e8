// Result<T>: a value or an Error, for expected runtime failures at boundaries (network, SQL,
// parsing). std::expected is C++23; this is the small subset hsops needs.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hsops {

// What kind of failure an Error is, for code that decides what to do about it (retry, which
// status, which advice). to_string gives the short name shown in details and docs.
enum class ErrorKind {
  // Network (lib/net, TLS probes)
  timeout,          // "timeout": no answer within the deadline
  connect_timeout,  // "connect_timeout": the connection was not established in time
  refused,          // "refused": nothing listens there
  dns,              // "dns": the host name does not resolve
  tls,              // "tls": handshake or certificate failure
  network,          // "network": any other transport failure
  url,              // "url": the URL is malformed or its scheme unsupported
  http,             // "http": an HTTP answer other than the one expected
  http_4xx,         // "http_4xx": a 4xx that is not a Matrix error (a proxy's page)
  http_5xx,         // "http_5xx": a 5xx that is not a Matrix error
  // Matrix
  matrix,           // a Matrix error answer; Error::errcode holds the errcode ("M_FORBIDDEN")
  server_name,      // "server_name": not a valid Matrix server name
  well_known,       // "well_known": the .well-known answer is broken
  versions,         // "versions": /_matrix/client/versions has no versions list
  oauth_only,       // "oauth_only": the server offers no password login
  wrong_user,       // "wrong_user": the token belongs to another user
  canonical_json,   // "canonical_json": the value has no canonical JSON form
  base64,           // "base64": not unpadded standard base64
  key,              // "key": an unusable signing key
  signature,        // "signature": a signature that does not verify
  not_signed,       // "unsigned": no signature by the expected server and key
  // PostgreSQL
  connect,          // "connect": cannot connect, or the connection is gone
  sql,              // "sql": a statement failed
  busy,             // "busy": too many reports waiting for the database, or shutting down
  copy_count,       // "copy_count": COPY stored fewer rows than sent
  // NTP (lib/net/sntp)
  kod,              // "kod": the server sent a kiss-o'-death
  invalid,          // "invalid": the reply is not a usable NTP packet
  stepped,          // "stepped": the local clock stepped during the exchange
  inconsistent,     // "inconsistent": the sources disagree among themselves
  kernel,           // "kernel": adjtimex failed
  // Local system and input
  parse,            // "parse": text that does not parse (units, files, answers)
  json,             // "json": a body that is not the JSON expected
  field,            // "field": one field of a stats report is wrong
  config,           // "config": a configuration that cannot work
  io,               // "io": reading or writing a file failed
  state,            // "state": the probe's state file cannot be read or written
  statfs,           // "statfs": statfs failed
  not_found,        // "not_found": the program to run does not exist
  spawn,            // "spawn": the program could not be started
  exit_status,      // "exit_status": the program ran and failed (non-zero exit or a signal)
  random,           // "random": no random bytes
  listen,           // "listen": the collector cannot listen
  irc,              // "irc": the IRC server refused or closed the link
  internal,         // "internal": an unexpected exception, caught at a boundary
};

// The short name, stable in details, JSON and docs ("timeout", "unsigned", "matrix", ...).
std::string_view to_string(ErrorKind kind);

struct Error {
  ErrorKind kind;
  // One sentence for the operator: what failed and, where possible, what to do.
  std::string message;
  // The Matrix errcode ("M_FORBIDDEN", "M_LIMIT_EXCEEDED") when kind is ErrorKind::matrix.
  std::string errcode = {};
};

// The kind as operators see it: the Matrix errcode for a Matrix error, else to_string(kind).
std::string kind_name(const Error& error);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  // Accessing the wrong alternative is a programming error, hence an exception.
  const T& value() const& { check_ok(); return std::get<T>(state_); }
  T& value() & { check_ok(); return std::get<T>(state_); }
  T&& value() && { check_ok(); return std::get<T>(std::move(state_)); }
  const Error& error() const {
    if (ok()) throw std::logic_error("Result::error() called on a value");
    return std::get<Error>(state_);
  }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }

 private:
  void check_ok() const {
    if (!ok()) throw std::logic_error("Result::value() called on error: " + std::get<Error>(state_).message);
  }
  std::variant<T, Error> state_;
};

}  // namespace hsops
