#include "matrix/canonical_json.h"

namespace hsops::matrix {
namespace {

constexpr std::int64_t kMaxSafe = (std::int64_t{1} << 53) - 1;

// Walks the tree once so a float deep inside is named by its path.
std::optional<std::string> find_problem(const nlohmann::json& v, const std::string& path) {
  switch (v.type()) {
    case nlohmann::json::value_t::number_float:
      return path + " is a floating-point number (canonical JSON allows integers only)";
    case nlohmann::json::value_t::number_integer: {
      const auto n = v.get<std::int64_t>();
      if (n > kMaxSafe || n < -kMaxSafe) return path + " is outside the integer range canonical JSON allows";
      return std::nullopt;
    }
    case nlohmann::json::value_t::number_unsigned:
      if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxSafe)) {
        return path + " is outside the integer range canonical JSON allows";
      }
      return std::nullopt;
    case nlohmann::json::value_t::object:
      for (const auto& [key, child] : v.items()) {
        if (auto p = find_problem(child, path + "." + key)) return p;
      }
      return std::nullopt;
    case nlohmann::json::value_t::array:
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (auto p = find_problem(v[i], path + "[" + std::to_string(i) + "]")) return p;
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

}  // namespace

Result<std::string> canonical_json(const nlohmann::json& value) {
  if (auto problem = find_problem(value, "$")) return Error{ErrorKind::canonical_json, *problem};
  // nlohmann's object type is a std::map over UTF-8 std::string: byte order of UTF-8 equals
  // code point order, which is what the spec sorts by. dump(-1) has no whitespace, writes
  // non-ASCII as raw UTF-8 (ensure_ascii=false) and escapes control characters as \u00xx,
  // with the short forms \b \f \n \r \t \" \\ — the spec's (and JSON.stringify's) rules.
  try {
    return value.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return Error{ErrorKind::canonical_json, std::string("cannot serialise: ") + e.what()};
  }
}

}  // namespace hsops::matrix
