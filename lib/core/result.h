// Result<T>: a value or an Error, for expected runtime failures at boundaries (network, SQL,
// parsing). std::expected is C++23; this is the small subset hsops needs.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace hsops {

struct Error {
  // Short machine-readable kind, e.g. "timeout", "refused", "tls", "dns", "http", "parse".
  std::string kind;
  // One sentence for the operator: what failed and, where possible, what to do.
  std::string message;
};

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
