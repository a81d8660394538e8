// The report-stats body (Synapse's phone-home format, docs/report-stats.md) and its
// validation. A Report holds only the known fields, each checked for type, range and length;
// unknown fields are dropped at parse time so they can never be stored.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>


namespace hsops::stats {

enum class FieldType {
  count,          // non-negative JSON integer (users, rooms, messages, seconds, kilobytes)
  number,         // finite JSON number (cache_factor)
  text,           // JSON string
  optional_text,  // JSON string or null (server_context)
};

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required;
  std::int64_t max;        // count: largest accepted value; number: largest magnitude
  std::size_t max_length;  // text: longest accepted string in bytes
};

// Every field hsops knows, in Synapse's documentation order. Names are constants: the store
// builds its column list from them, never from request input.
const std::vector<FieldSpec>& report_fields();
const FieldSpec* find_field(std::string_view name);

// How many fields report_fields() has (checked at compile time in report.cpp).
inline constexpr std::size_t kReportFieldCount = 31;

// One field of a report as it arrived: which JSON kind, and its value.
struct FieldValue {
  enum class Kind : std::uint8_t { absent, null, integer, unsigned_integer, number, text, other };
  Kind kind = Kind::absent;
  std::int64_t integer = 0;
  std::uint64_t unsigned_integer = 0;
  double number = 0;
  std::string text;
};

// A validated report as the collector receives it: one slot per field of report_fields(), in
// that order. Filled straight from the parser (simdjson, or nlohmann's SAX reader for what
// simdjson refuses) without a JSON tree of our own; unknown fields never get a slot.
struct ReportRow {
  std::array<FieldValue, kReportFieldCount> values;

  std::string_view homeserver() const;
  // Empties the slot of `name` (a known field), e.g. the server name once it is pseudonymised.
  void drop(std::string_view name);
  // The same report as a JSON object with the present fields.
  nlohmann::json to_json() const;
};

// A validated report: a JSON object with known fields only (absent optional fields absent).
struct Report {
  nlohmann::json fields = nlohmann::json::object();

  std::string homeserver() const { return fields.value("homeserver", std::string()); }
  std::int64_t count(std::string_view name) const;  // 0 when absent
  bool has(std::string_view name) const { return fields.contains(std::string(name)); }
};

// A rejected body, as fields: `kind` is "json" (not JSON / not an object), "field" (a field
// is missing or wrong) or "refused" (RowReaders::fast_only handed over); `field` names the
// offending key ("" for the body as a whole); `problem` says what is wrong, never echoing the
// value (it may be a server name).
struct Invalid {
  std::string kind;
  std::string field;
  std::string problem;
  std::string message() const;     // "<field>: <problem>", or the problem alone
  nlohmann::json to_json() const;  // {"error": "invalid_field", "field": ..., "message": ...}
};

// A parsed report or why it was refused: Result's interface with Invalid as the error, so the
// field travels as a field (the 400 body names it) instead of inside a message.
template <typename T>
class [[nodiscard]] Parsed {
 public:
  Parsed(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Parsed(Invalid invalid) : state_(std::move(invalid)) {}  // NOLINT: implicit by design
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  // Accessing the wrong alternative is a programming error (std::bad_variant_access).
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  const T* operator->() const { return &value(); }
  const T& operator*() const& { return value(); }
  const Invalid& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Invalid> state_;
};

// Parses and validates a request body. Syntax is checked over
// the whole body first, then the fields in report_fields() order: the first problem is named.
Parsed<ReportRow> parse_report_row(std::string_view body);
// Which JSON readers parse_report_row uses: simdjson first with nlohmann's as the reference for
// whatever simdjson refuses (the default). Tests and the fuzz target compare the reference
// alone with the fast reader alone (which fails with kind "refused" where it would hand over).
enum class RowReaders { fast_first, reference_only, fast_only };
Parsed<ReportRow> read_report_row(std::string_view body, RowReaders readers);
// The same, as a Report.
Parsed<Report> parse_report(std::string_view body);
// Validates an already parsed object (the same rules).
Parsed<Report> validate_report(const nlohmann::json& object);

}  // namespace hsops::stats
