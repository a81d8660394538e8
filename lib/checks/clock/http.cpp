#include "checks/clock/http.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>

namespace hsops::checks {
namespace {

using Steady = std::chrono::steady_clock;

double seconds(std::chrono::system_clock::duration d) { return std::chrono::duration<double>(d).count(); }

bool digits(std::string_view s, int& out) {
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return !s.empty();
}

}  // namespace

std::optional<WallTime> parse_imf_fixdate(std::string_view t) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, 29 characters.
  static constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r' || t.back() == '\n')) t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
      t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  const auto day_name = std::find(kDays.begin(), kDays.end(), t.substr(0, 3));
  const auto month = std::find(kMonths.begin(), kMonths.end(), t.substr(8, 3));
  if (day_name == kDays.end() || month == kMonths.end()) return std::nullopt;
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (!digits(t.substr(5, 2), day) || !digits(t.substr(12, 4), year) || !digits(t.substr(17, 2), hour) ||
      !digits(t.substr(20, 2), minute) || !digits(t.substr(23, 2), second)) {
    return std::nullopt;
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = static_cast<int>(month - kMonths.begin());
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second == 60 ? 59 : second;  // a leap second reads as :59
  const std::time_t unix = ::timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // "31 Feb" was normalised into March
  if (tm.tm_wday != static_cast<int>(day_name - kDays.begin())) return std::nullopt;
  return std::chrono::system_clock::from_time_t(unix);
}

OffsetInterval bound(const DateObservation& o) {
  // The server made the reply at local time L in (t0, t2), when its clock read S in [D, D+1):
  // offset = S − L lies in (D − t2, D + 1 − t0).
  return {seconds(o.date - o.received), seconds(o.date - o.sent) + 1.0};
}

std::optional<OffsetInterval> intersect(const std::vector<DateObservation>& observations) {
  if (observations.empty()) return std::nullopt;
  OffsetInterval acc = bound(observations.front());
  for (const auto& o : observations) {
    const OffsetInterval b = bound(o);
    acc.low = std::max(acc.low, b.low);
    acc.high = std::min(acc.high, b.high);
  }
  if (acc.low >= acc.high) return std::nullopt;
  return acc;
}

Result<HttpDateEstimate> measure_http_date(const std::string& url, const HttpDateOptions& options,
                                           const HttpFetch& fetch, const Clock& clock) {
  const Steady::time_point deadline = Steady::now() + options.budget;
  std::vector<DateObservation> seen;
  std::optional<Error> last_error;
  double rtt = 0;
  for (int i = 0; i < std::max(1, options.samples); ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    if (left <= std::chrono::milliseconds(0)) break;
    if (auto current = intersect(seen)) {
      // Aim the next request so the server's second ticks over at our current best guess:
      // wait until (now + rtt/2 + midpoint) is a whole second.
      const double phase = unix_seconds(clock.now()) + rtt / 2 + current->midpoint();
      const double wait = 1.0 - (phase - std::floor(phase));
      const auto wait_ms = std::chrono::milliseconds(static_cast<long>(wait * 1000));
      if (wait_ms + std::chrono::milliseconds(static_cast<long>(rtt * 1000)) + std::chrono::milliseconds(50) >= left) {
        break;
      }
      clock.sleep_for(wait_ms);
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now());
    }
    net::Request request;
    request.method = "GET";
    request.url = url;
    request.ca_file = options.ca_file;
    request.deadlines.total = std::min(options.per_request.total, left);
    request.deadlines.connect = std::min(options.per_request.connect, request.deadlines.total);
    const WallTime t0 = clock.now();
    auto response = fetch(request);
    const WallTime t2 = clock.now();
    if (!response) {
      last_error = response.error();
      break;  // a timeout has spent the budget; other errors will not go away in a second
    }
    const std::string date = response->header("date");
    const auto parsed = parse_imf_fixdate(date);
    if (!parsed) {
      last_error = Error{ErrorKind::http, date.empty() ? "no Date header in the reply (HTTP " +
                                                    std::to_string(response->status) + ")"
                                              : "unparsable Date header '" + date + "'"};
      break;
    }
    seen.push_back({t0, t2, *parsed});
    rtt = seconds(t2 - t0);
  }
  if (seen.empty()) return last_error.value_or(Error{ErrorKind::timeout, "no reply within the time budget"});
  const auto interval = intersect(seen);
  if (!interval) {
    return Error{ErrorKind::inconsistent, "Date headers disagree across requests (several servers with different clocks?)"};
  }
  return HttpDateEstimate{url, *interval, static_cast<int>(seen.size())};
}

}  // namespace hsops::checks
