// A cross-check of the clock against HTTP servers' Date headers (the htpdate method): a
// second opinion that needs no UDP port 123, and that also works against the homeserver and
// its federation peers, whose skew breaks signatures and token expiry.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/http.h"

namespace hsops::checks {

using WallTime = std::chrono::system_clock::time_point;

// RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"; nullopt if malformed.
std::optional<WallTime> parse_imf_fixdate(std::string_view text);

// One request: sent at local t0, answered at local t2, with Date header D. Date is the floor of
// the server's time when it made the reply, somewhere between t0 and t2 on our clock.
struct DateObservation {
  WallTime sent;
  WallTime received;
  WallTime date;
};

// Bounds on the server-minus-local offset (positive: the server is ahead, as for NTP).
struct OffsetInterval {
  double low = 0;   // exclusive
  double high = 0;  // exclusive
  double midpoint() const { return (low + high) / 2; }
  double uncertainty() const { return (high - low) / 2; }
};

// (D − t2, D + 1 − t0) for one observation.
OffsetInterval bound(const DateObservation& observation);
// The intersection of all the bounds; nullopt when they do not overlap (the server's clock
// moved, or a load balancer spreads us over servers with different clocks).
std::optional<OffsetInterval> intersect(const std::vector<DateObservation>& observations);

struct HttpDateEstimate {
  std::string url;
  OffsetInterval interval;
  int samples = 0;
};

using HttpFetch = std::function<Result<net::Response>(const net::Request&)>;

struct HttpDateOptions {
  int samples = 4;
  net::Deadlines per_request{};  // each request's deadlines (capped by `budget`)
  std::chrono::milliseconds budget{5000};  // all requests to this URL together
  std::string ca_file;
};

// GETs `url` up to `samples` times, timing later requests so the server's second boundary falls
// inside the current interval (each one can halve it). Error kinds: those of net::perform,
// "http" (no Date header / unparsable), "inconsistent" (the bounds do not overlap).
Result<HttpDateEstimate> measure_http_date(const std::string& url, const HttpDateOptions& options,
                                           const HttpFetch& fetch, const Clock& clock);

}  // namespace hsops::checks
