#include "core/range_units.h"

#include <charconv>
#include <string>

#include "core/units.h"

namespace hsops {
namespace {

bool plain_number(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  double ignored = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), ignored);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

std::string shortest(double value) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, ptr) : std::to_string(value);
}

// One end in base units, or the reason it is not one.
Result<std::string> in_base_units(std::string_view end, Figure figure) {
  if (end.empty() || end == "~" || figure == Figure::number || plain_number(end)) return std::string(end);
  if (figure == Figure::bytes) {
    auto bytes = parse_size(end);
    if (!bytes) return bytes.error();
    return shortest(static_cast<double>(bytes.value()));
  }
  const bool negative = end.front() == '-';  // a clock offset may be below zero
  auto ms = parse_duration(negative ? end.substr(1) : end);
  if (!ms) return ms.error();
  return (negative ? "-" : "") + shortest(static_cast<double>(ms.value().count()) / 1000.0);
}

}  // namespace

Result<Range> parse_range(std::string_view text, Figure figure) {
  std::string_view rest = text;
  std::string normal;
  if (!rest.empty() && rest.front() == '@') {
    normal = "@";
    rest.remove_prefix(1);
  }
  const auto colon = rest.find(':');
  const std::string_view lo = colon == std::string_view::npos ? std::string_view() : rest.substr(0, colon);
  const std::string_view hi = colon == std::string_view::npos ? rest : rest.substr(colon + 1);
  auto start = in_base_units(lo, figure);
  auto end = in_base_units(hi, figure);
  for (const auto* part : {&start, &end}) {
    if (!*part) {
      return Error{ErrorKind::parse, "invalid threshold range '" + std::string(text) + "': " + part->error().message};
    }
  }
  if (colon != std::string_view::npos) normal += start.value() + ":";
  normal += end.value();
  auto parsed = Range::parse(normal);
  if (!parsed && normal != text) return Error{ErrorKind::parse, parsed.error().message + " (written as '" + std::string(text) + "')"};
  return parsed;
}

}  // namespace hsops
