#include "core/range.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace hsops {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && ptr == last && std::isfinite(out);
}

Error range_error(std::string_view text, std::string_view why) {
  return Error{ErrorKind::parse, "invalid threshold range '" + std::string(text) + "': " + std::string(why) +
                            " (Nagios syntax: 10, 10:, ~:10, 10:20, @10:20)"};
}

}  // namespace

Result<Range> Range::parse(std::string_view text) {
  std::string_view rest = text;
  bool inside = false;
  if (!rest.empty() && rest.front() == '@') {
    inside = true;
    rest.remove_prefix(1);
  }
  if (rest.empty()) return range_error(text, "empty");

  double start = 0;
  double end = kInf;
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    if (!parse_number(rest, end)) return range_error(text, "not a number");
  } else {
    std::string_view lo = rest.substr(0, colon);
    std::string_view hi = rest.substr(colon + 1);
    if (lo == "~") {
      start = -kInf;
    } else if (!lo.empty() && !parse_number(lo, start)) {
      return range_error(text, "start is not a number or ~");
    }
    if (!hi.empty() && !parse_number(hi, end)) return range_error(text, "end is not a number");
  }
  if (start > end) return range_error(text, "start is greater than end");
  return Range(start, end, inside, std::string(text));
}

bool Range::alerts(double value) const {
  const bool within = value >= start_ && value <= end_;
  return inside_ ? within : !within;
}

}  // namespace hsops
