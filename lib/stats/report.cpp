#include "stats/report.h"

#include <cmath>
#include <limits>

namespace hsops::stats {
namespace {

// 2^53: the largest integer every JSON reader (JavaScript, Python floats) keeps exactly.
constexpr std::int64_t kMaxCount = 9007199254740992;

const std::vector<FieldSpec> kFields = {
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
};

Error field_error(std::string_view field, const std::string& problem) {
  return Error{"field", std::string(field) + ": " + problem};
}

// Control characters would let a sender forge log lines or break label rendering.
bool has_control_characters(const std::string& s) {
  for (const unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::optional<Error> check_field(const FieldSpec& spec, const nlohmann::json& v) {
  switch (spec.type) {
    case FieldType::count: {
      if (!v.is_number_integer()) return field_error(spec.name, "must be an integer");
      if (v.is_number_unsigned()) {
        if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(spec.max)) {
          return field_error(spec.name, "must be at most " + std::to_string(spec.max));
        }
        return std::nullopt;
      }
      const auto n = v.get<std::int64_t>();
      if (n < 0) return field_error(spec.name, "must not be negative");
      if (n > spec.max) return field_error(spec.name, "must be at most " + std::to_string(spec.max));
      return std::nullopt;
    }
    case FieldType::number: {
      if (!v.is_number()) return field_error(spec.name, "must be a number");
      const double d = v.get<double>();
      if (!std::isfinite(d) || d < 0 || d > static_cast<double>(spec.max)) {
        return field_error(spec.name, "must be between 0 and " + std::to_string(spec.max));
      }
      return std::nullopt;
    }
    case FieldType::optional_text:
      if (v.is_null()) return std::nullopt;
      [[fallthrough]];
    case FieldType::text: {
      if (!v.is_string()) return field_error(spec.name, "must be a string");
      const auto& s = v.get_ref<const std::string&>();
      if (s.size() > spec.max_length) {
        return field_error(spec.name, "must be at most " + std::to_string(spec.max_length) + " bytes");
      }
      if (has_control_characters(s)) return field_error(spec.name, "must not contain control characters");
      if (spec.required && s.empty()) return field_error(spec.name, "must not be empty");
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

const std::vector<FieldSpec>& report_fields() { return kFields; }

const FieldSpec* find_field(std::string_view name) {
  for (const auto& f : kFields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::int64_t Report::count(std::string_view name) const {
  const auto it = fields.find(std::string(name));
  if (it == fields.end() || !it->is_number_integer()) return 0;
  return it->get<std::int64_t>();
}

nlohmann::json Invalid::to_json() const {
  return {{"error", field.empty() ? "invalid_body" : "invalid_field"}, {"field", field}, {"message", problem}};
}

Result<Report> validate_report(const nlohmann::json& object) {
  if (!object.is_object()) return Error{"json", ": the body must be a JSON object"};
  Report report;
  for (const auto& spec : kFields) {
    const auto it = object.find(std::string(spec.name));
    if (it == object.end()) {
      if (spec.required) return field_error(spec.name, "is required");
      continue;
    }
    if (auto problem = check_field(spec, *it)) return *problem;
    report.fields[std::string(spec.name)] = *it;
  }
  return report;
}

Result<Report> parse_report(std::string_view body) {
  // No exceptions from the parser (allow_exceptions = false): a discarded value means invalid.
  auto parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (parsed.is_discarded()) return Error{"json", ": the body is not valid JSON"};
  if (!parsed.is_object()) return Error{"json", ": the body must be a JSON object"};
  // The same rules as validate_report, keeping the parsed object instead of copying it (this
  // runs for every push): unknown fields are erased, known ones checked in place.
  for (auto it = parsed.begin(); it != parsed.end();) {
    it = find_field(it.key()) == nullptr ? parsed.erase(it) : std::next(it);
  }
  for (const auto& spec : kFields) {
    const auto it = parsed.find(spec.name);
    if (it == parsed.end()) {
      if (spec.required) return field_error(spec.name, "is required");
      continue;
    }
    if (auto problem = check_field(spec, *it)) return *problem;
  }
  Report report;
  report.fields = std::move(parsed);
  return report;
}

Invalid invalid_from(const Error& error) {
  const auto colon = error.message.find(": ");
  if (colon == std::string::npos) return Invalid{"", error.message};
  return Invalid{error.message.substr(0, colon), error.message.substr(colon + 2)};
}

}  // namespace hsops::stats
