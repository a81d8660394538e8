#include "stats/report.h"

#include <cmath>
#include <limits>
#include <unordered_map>

#include <simdjson.h>

namespace hsops::stats {
namespace {

// 2^53: the largest integer every JSON reader (JavaScript, Python floats) keeps exactly.
constexpr std::int64_t kMaxCount = 9007199254740992;

constexpr auto kFieldList = std::to_array<FieldSpec>({
    {"homeserver", FieldType::text, true, 0, 255},
    {"server_context", FieldType::optional_text, false, 0, 255},
    {"timestamp", FieldType::count, true, 4102444800, 0},  // Unix seconds, before 2100
    {"uptime_seconds", FieldType::count, false, kMaxCount, 0},
    {"python_version", FieldType::text, false, 0, 64},
    {"memory_rss", FieldType::count, false, kMaxCount, 0},
    {"cpu_average", FieldType::count, false, 1000000, 0},  // % of one core: 10000 cores
    {"total_users", FieldType::count, true, kMaxCount, 0},
    {"total_nonbridged_users", FieldType::count, false, kMaxCount, 0},
    {"daily_user_type_native", FieldType::count, false, kMaxCount, 0},
    {"daily_user_type_guest", FieldType::count, false, kMaxCount, 0},
    {"daily_user_type_bridged", FieldType::count, false, kMaxCount, 0},
    {"total_room_count", FieldType::count, false, kMaxCount, 0},
    {"daily_active_users", FieldType::count, false, kMaxCount, 0},
    {"monthly_active_users", FieldType::count, false, kMaxCount, 0},
    {"daily_active_rooms", FieldType::count, false, kMaxCount, 0},
    {"daily_active_e2ee_rooms", FieldType::count, false, kMaxCount, 0},
    {"daily_messages", FieldType::count, false, kMaxCount, 0},
    {"daily_sent_messages", FieldType::count, false, kMaxCount, 0},
    {"daily_e2ee_messages", FieldType::count, false, kMaxCount, 0},
    {"daily_sent_e2ee_messages", FieldType::count, false, kMaxCount, 0},
    {"r30v2_users_all", FieldType::count, false, kMaxCount, 0},
    {"r30v2_users_android", FieldType::count, false, kMaxCount, 0},
    {"r30v2_users_ios", FieldType::count, false, kMaxCount, 0},
    {"r30v2_users_electron", FieldType::count, false, kMaxCount, 0},
    {"r30v2_users_web", FieldType::count, false, kMaxCount, 0},
    {"cache_factor", FieldType::number, false, 1000000, 0},
    {"event_cache_size", FieldType::count, false, kMaxCount, 0},
    {"database_engine", FieldType::text, false, 0, 32},
    {"database_server_version", FieldType::text, false, 0, 64},
    {"log_level", FieldType::text, false, 0, 16},
});
static_assert(kFieldList.size() == kReportFieldCount, "kReportFieldCount must match the field list");
const std::vector<FieldSpec> kFields(kFieldList.begin(), kFieldList.end());

Invalid field_error(std::string_view field, const std::string& problem) {
  return Invalid{"field", std::string(field), problem};
}

// Control characters would let a sender forge log lines or break label rendering.
bool has_control_characters(const std::string& s) {
  for (const unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

using Kind = FieldValue::Kind;

std::optional<Invalid> check_field(const FieldSpec& spec, const FieldValue& v) {
  switch (spec.type) {
    case FieldType::count: {
      if (v.kind == Kind::unsigned_integer) {
        if (v.unsigned_integer > static_cast<std::uint64_t>(spec.max)) {
          return field_error(spec.name, "must be at most " + std::to_string(spec.max));
        }
        return std::nullopt;
      }
      if (v.kind != Kind::integer) return field_error(spec.name, "must be an integer");
      if (v.integer < 0) return field_error(spec.name, "must not be negative");
      if (v.integer > spec.max) return field_error(spec.name, "must be at most " + std::to_string(spec.max));
      return std::nullopt;
    }
    case FieldType::number: {
      double d = 0;
      switch (v.kind) {
        case Kind::integer: d = static_cast<double>(v.integer); break;
        case Kind::unsigned_integer: d = static_cast<double>(v.unsigned_integer); break;
        case Kind::number: d = v.number; break;
        default: return field_error(spec.name, "must be a number");
      }
      if (!std::isfinite(d) || d < 0 || d > static_cast<double>(spec.max)) {
        return field_error(spec.name, "must be between 0 and " + std::to_string(spec.max));
      }
      return std::nullopt;
    }
    case FieldType::optional_text:
      if (v.kind == Kind::null) return std::nullopt;
      [[fallthrough]];
    case FieldType::text: {
      if (v.kind != Kind::text) return field_error(spec.name, "must be a string");
      if (v.text.size() > spec.max_length) {
        return field_error(spec.name, "must be at most " + std::to_string(spec.max_length) + " bytes");
      }
      if (has_control_characters(v.text)) return field_error(spec.name, "must not contain control characters");
      if (spec.required && v.text.empty()) return field_error(spec.name, "must not be empty");
      return std::nullopt;
    }
  }
  return std::nullopt;
}

constexpr std::size_t kNoField = kReportFieldCount;

std::size_t index_of(std::string_view name) {
  static const std::unordered_map<std::string_view, std::size_t> index = [] {
    std::unordered_map<std::string_view, std::size_t> m;
    for (std::size_t i = 0; i < kFields.size(); ++i) m.emplace(kFields[i].name, i);
    return m;
  }();
  const auto it = index.find(name);
  return it == index.end() ? kNoField : it->second;
}

// Streaming (SAX) reader: keeps the top-level values of known fields in their slots and skips
// everything else, so a push costs no JSON tree. Validation waits for the end of the body, so
// a syntax error anywhere wins over a field problem, as with a parse into a tree.
class RowReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit RowReader(ReportRow& row) : row_(row) {}
  bool root_is_object() const { return root_is_object_; }

  bool null() override { return value([](FieldValue& v) { v.kind = Kind::null; }); }
  bool boolean(bool) override { return value([](FieldValue& v) { v.kind = Kind::other; }); }
  bool number_integer(number_integer_t n) override {
    // Only "-0" reaches here without being negative: it is 0, as simdjson reads it.
    if (n == 0) return number_unsigned(0);
    return value([n](FieldValue& v) { v.kind = Kind::integer; v.integer = n; });
  }
  bool number_unsigned(number_unsigned_t n) override {
    return value([n](FieldValue& v) { v.kind = Kind::unsigned_integer; v.unsigned_integer = n; });
  }
  bool number_float(number_float_t d, const string_t&) override {
    return value([d](FieldValue& v) { v.kind = Kind::number; v.number = d; });
  }
  bool string(string_t& s) override {
    return value([&s](FieldValue& v) { v.kind = Kind::text; v.text = std::move(s); });
  }
  bool binary(binary_t&) override { return value([](FieldValue& v) { v.kind = Kind::other; }); }
  bool start_object(std::size_t) override { return open(true); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (depth_ == 1) current_ = index_of(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // A value directly under the root object, for the key just read; deeper ones are skipped.
  // A repeated key's last value wins whole: nothing of the earlier one stays in the slot.
  template <typename Set>
  bool value(Set set) {
    if (depth_ == 1 && current_ != kNoField) {
      row_.values[current_] = FieldValue{};
      set(row_.values[current_]);
    }
    return true;
  }
  bool open(bool object) {
    if (depth_ == 0) root_is_object_ = object;
    if (depth_ == 1 && current_ != kNoField) {
      row_.values[current_] = FieldValue{};
      row_.values[current_].kind = Kind::other;  // an object or array: no field takes one
    }
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  ReportRow& row_;
  std::size_t depth_ = 0;
  std::size_t current_ = kNoField;
  bool root_is_object_ = false;
};

// Fast path: simdjson's DOM reader, several times cheaper per push than the SAX reader. It
// decides only what it accepts; anything it refuses (bad syntax, an integer beyond 64 bits,
// bad UTF-8, deep nesting, a root that is not an object) goes to the reference reader, so
// what counts as valid JSON and what each error says stay the reference reader's. Values
// take the kinds the reference reader gives them (a non-negative integer is unsigned).
bool read_fast(std::string_view body, ReportRow& row) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;  // simdjson reads up to SIMDJSON_PADDING bytes past the end
  padded.assign(body);
  padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  simdjson::dom::object object;
  if (parser.parse(padded.data(), body.size(), false).get(root) || root.get(object)) return false;
  using Type = simdjson::dom::element_type;
  for (const auto field : object) {
    const std::size_t i = index_of(field.key);
    if (i == kNoField) continue;
    FieldValue& v = row.values[i];
    v = FieldValue{};
    const auto value = field.value;
    switch (value.type()) {
      case Type::INT64: {
        const std::int64_t n = value.get_int64().value_unsafe();
        if (n >= 0) {
          v.kind = Kind::unsigned_integer;
          v.unsigned_integer = static_cast<std::uint64_t>(n);
        } else {
          v.kind = Kind::integer;
          v.integer = n;
        }
        break;
      }
      case Type::UINT64:
        v.kind = Kind::unsigned_integer;
        v.unsigned_integer = value.get_uint64().value_unsafe();
        break;
      case Type::DOUBLE:
        v.kind = Kind::number;
        v.number = value.get_double().value_unsafe();
        break;
      case Type::STRING:
        v.kind = Kind::text;
        v.text = value.get_string().value_unsafe();
        break;
      case Type::NULL_VALUE: v.kind = Kind::null; break;
      default: v.kind = Kind::other; break;  // bool, object, array: no field takes one
    }
  }
  return true;
}

bool read_reference(std::string_view body, ReportRow& row, bool& root_is_object) {
  RowReader reader(row);
  const bool ok = nlohmann::json::sax_parse(body.begin(), body.end(), &reader);
  root_is_object = reader.root_is_object();
  return ok;
}

}  // namespace

const std::vector<FieldSpec>& report_fields() { return kFields; }

const FieldSpec* find_field(std::string_view name) {
  const std::size_t i = index_of(name);
  return i == kNoField ? nullptr : &kFields[i];
}

std::int64_t Report::count(std::string_view name) const {
  const auto it = fields.find(std::string(name));
  if (it == fields.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

std::string_view ReportRow::homeserver() const {
  const auto& v = values[index_of("homeserver")];
  return v.kind == Kind::text ? std::string_view(v.text) : std::string_view();
}

void ReportRow::drop(std::string_view name) {
  const std::size_t i = index_of(name);
  if (i != kNoField) values[i] = FieldValue{};
}

nlohmann::json ReportRow::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    const auto& v = values[i];
    const std::string name(kFields[i].name);
    switch (v.kind) {
      case Kind::null: out[name] = nullptr; break;
      case Kind::integer: out[name] = v.integer; break;
      case Kind::unsigned_integer: out[name] = v.unsigned_integer; break;
      case Kind::number: out[name] = v.number; break;
      case Kind::text: out[name] = v.text; break;
      case Kind::absent:
      case Kind::other: break;  // `other` never in a validated row
    }
  }
  return out;
}

std::string Invalid::message() const { return field.empty() ? problem : field + ": " + problem; }

nlohmann::json Invalid::to_json() const {
  return {{"error", field.empty() ? "invalid_body" : "invalid_field"}, {"field", field}, {"message", problem}};
}

Parsed<ReportRow> read_report_row(std::string_view body, RowReaders readers) {
  ReportRow row;
  if (readers == RowReaders::reference_only || !read_fast(body, row)) {
    if (readers == RowReaders::fast_only) return Invalid{"refused", "", "the fast reader refused the body"};
    row = ReportRow{};
    bool root_is_object = false;
    if (!read_reference(body, row, root_is_object)) return Invalid{"json", "", "the body is not valid JSON"};
    if (!root_is_object) return Invalid{"json", "", "the body must be a JSON object"};
  }
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    const auto& spec = kFields[i];
    if (row.values[i].kind == Kind::absent) {
      if (spec.required) return field_error(spec.name, "is required");
      continue;
    }
    if (auto problem = check_field(spec, row.values[i])) return *problem;
  }
  return row;
}

Parsed<ReportRow> parse_report_row(std::string_view body) { return read_report_row(body, RowReaders::fast_first); }

Parsed<Report> parse_report(std::string_view body) {
  auto row = parse_report_row(body);
  if (!row) return row.error();
  return Report{row->to_json()};
}

Parsed<Report> validate_report(const nlohmann::json& object) {
  if (!object.is_object()) return Invalid{"json", "", "the body must be a JSON object"};
  // Not on the ingest path: the same rules by the same reader.
  return parse_report(object.dump());
}

}  // namespace hsops::stats
