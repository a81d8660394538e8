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
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

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

// A rejected body: `field` names the offending key ("" for the body as a whole), `problem`
// says what is wrong, never echoing the value (it may be a server name).
struct Invalid {
  std::string field;
  std::string problem;
  nlohmann::json to_json() const;  // {"error": "invalid_field", "field": ..., "message": ...}
};

// Parses and validates a request body. Error.kind is "json" (not JSON / not an object) or
// "field"; Error.message is "<field>: <problem>" (see invalid_from). Syntax is checked over
// the whole body first, then the fields in report_fields() order: the first problem is named.
Result<ReportRow> parse_report_row(std::string_view body);
// Which JSON readers parse_report_row uses: simdjson first with nlohmann's as the reference for
// whatever simdjson refuses (the default). Tests and the fuzz target compare the reference
// alone with the fast reader alone (which fails with kind "refused" where it would hand over).
enum class RowReaders { fast_first, reference_only, fast_only };
Result<ReportRow> read_report_row(std::string_view body, RowReaders readers);
// The same, as a Report.
Result<Report> parse_report(std::string_view body);
// Validates an already parsed object (the same rules).
Result<Report> validate_report(const nlohmann::json& object);
// Splits an Error from parse_report back into field and problem for the 400 body.
Invalid invalid_from(const Error& error);

}  // namespace hsops::stats
