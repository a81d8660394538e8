#include "core/units.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

namespace hsops {
namespace {

Error unit_error(std::string_view kind, std::string_view text, std::string_view hint) {
  return Error{ErrorKind::parse, "invalid " + std::string(kind) + " '" + std::string(text) + "' (" +
                            std::string(hint) + ")"};
}

// Splits "12.5GiB" into 12.5 and "GiB"; false when there is no leading number.
bool split_number(std::string_view& rest, double& number) {
  std::size_t i = 0;
  while (i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.')) ++i;
  if (i == 0) return false;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + i, number);
  if (ec != std::errc() || ptr != rest.data() + i) return false;
  rest.remove_prefix(i);
  return true;
}

}  // namespace

Result<Millis> parse_duration(std::string_view text) {
  constexpr std::string_view hint = "use e.g. 250ms, 90s, 5m, 1h30m, 2d";
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) return unit_error("duration", text, hint);
  double total_ms = 0;
  bool bare = true;
  while (!rest.empty()) {
    double number = 0;
    if (!split_number(rest, number)) return unit_error("duration", text, hint);
    std::size_t u = 0;
    while (u < rest.size() && std::isalpha(static_cast<unsigned char>(rest[u]))) ++u;
    const std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    double scale = 0;
    if (unit.empty()) {
      if (!rest.empty() || !bare) return unit_error("duration", text, hint);
      scale = 1000;
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m" || unit == "min") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else if (unit == "w") {
      scale = 7 * 86'400'000.0;
    } else {
      return unit_error("duration", text, hint);
    }
    bare = false;
    total_ms += number * scale;
  }
  if (total_ms > 1e15) return unit_error("duration", text, "too large");
  return Millis(static_cast<std::int64_t>(std::llround(total_ms)));
}

Result<std::uint64_t> parse_size(std::string_view text) {
  constexpr std::string_view hint = "use e.g. 4096, 500MB, 8GiB, 1TiB";
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  double number = 0;
  if (!split_number(rest, number)) return unit_error("size", text, hint);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  static constexpr std::array<std::pair<std::string_view, double>, 17> kUnits{{
      {"", 1}, {"B", 1},
      {"K", 1e3}, {"KB", 1e3}, {"Ki", 1024.0}, {"KiB", 1024.0},
      {"M", 1e6}, {"MB", 1e6}, {"Mi", 1048576.0}, {"MiB", 1048576.0},
      {"G", 1e9}, {"GB", 1e9}, {"Gi", 1073741824.0}, {"GiB", 1073741824.0},
      {"TB", 1e12}, {"Ti", 1099511627776.0}, {"TiB", 1099511627776.0},
  }};
  for (const auto& [unit, scale] : kUnits) {
    if (rest == unit) {
      const double bytes = number * scale;
      if (bytes > 1.8e19) return unit_error("size", text, "too large");
      return static_cast<std::uint64_t>(std::llround(bytes));
    }
  }
  if (rest == "T") return static_cast<std::uint64_t>(std::llround(number * 1e12));
  return unit_error("size", text, hint);
}

std::string format_duration(double seconds) {
  char buf[64];
  const double a = std::fabs(seconds);
  const char* sign = seconds < 0 ? "-" : "";
  if (!std::isfinite(seconds)) return "never";
  if (a < 1) {
    std::snprintf(buf, sizeof buf, "%s%.0f ms", sign, a * 1000);
  } else if (a < 60) {
    std::snprintf(buf, sizeof buf, "%s%.1f s", sign, a);
  } else if (a < 3600) {
    const long total = std::lround(a);
    std::snprintf(buf, sizeof buf, "%s%ld min %ld s", sign, total / 60, total % 60);
  } else if (a < 86400) {
    const long total_min = std::lround(a / 60);
    std::snprintf(buf, sizeof buf, "%s%ld h %ld min", sign, total_min / 60, total_min % 60);
  } else {
    const long total_h = std::lround(a / 3600);
    std::snprintf(buf, sizeof buf, "%s%ld d %ld h", sign, total_h / 24, total_h % 24);
  }
  return buf;
}

std::string format_bytes(double bytes) {
  static constexpr std::array<const char*, 6> kUnits{"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = bytes;
  std::size_t i = 0;
  while (std::fabs(v) >= 1024 && i + 1 < kUnits.size()) {
    v /= 1024;
    ++i;
  }
  char buf[64];
  if (i == 0) {
    std::snprintf(buf, sizeof buf, "%.0f B", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[i]);
  }
  return buf;
}

std::string format_utc(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return out;
}

}  // namespace hsops
