// An SNTP client (RFC 4330, RFC 5905 §7-8): the 48-byte packet, NTP <-> Unix timestamps with
// era handling, and one bounded query that takes several samples and keeps the best.
// Why we measure actively: a VM live-migration froze the homeserver 9 minutes and left its clock
// 9 minutes off, while the kernel's sync flag looked fine; only asking a server shows that.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace hsops::net {

// 32-bit seconds since 1900-01-01 (modulo the 136-year era) and a 2^-32 s fraction.
struct NtpTimestamp {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;
  bool zero() const { return seconds == 0 && fraction == 0; }
  friend bool operator==(const NtpTimestamp&, const NtpTimestamp&) = default;
};

struct SntpPacket {
  int leap = 0;      // LI: 0 none, 1/2 leap second pending, 3 alarm (server unsynchronised)
  int version = 4;   // VN
  int mode = 3;      // 3 client, 4 server
  int stratum = 0;   // 0 kiss-o'-death, 1 primary, 2-15 secondary, 16 unsynchronised
  int poll = 0;      // log2 s
  int precision = 0; // log2 s
  std::uint32_t root_delay = 0;       // NTP short format, 16.16 s
  std::uint32_t root_dispersion = 0;  // 16.16 s
  std::uint32_t reference_id = 0;
  NtpTimestamp reference, origin, receive, transmit;
};

constexpr std::size_t kSntpPacketSize = 48;
using SntpBytes = std::array<std::uint8_t, kSntpPacketSize>;

SntpBytes encode(const SntpPacket& packet);
// Accepts >= 48 bytes (extension fields / MAC after the header are ignored).
Result<SntpPacket> decode(const std::uint8_t* data, std::size_t size);

using WallTime = std::chrono::system_clock::time_point;

// Unix -> NTP (the era is dropped, as on the wire).
NtpTimestamp to_ntp(WallTime t);
// NTP -> Unix, choosing the era that puts the result within ±68 years of `near` (local time),
// so 2036's wrap of the seconds field is harmless.
WallTime from_ntp(NtpTimestamp t, WallTime near);

// 16.16 short format -> seconds.
double short_to_seconds(std::uint32_t value);

// The four timestamps of one exchange: T1 client send, T2 server receive, T3 server transmit,
// T4 client receive.
struct Exchange {
  WallTime t1, t2, t3, t4;
};
// θ = ((T2−T1)+(T3−T4))/2 (positive: the server is ahead of us); δ = (T4−T1)−(T3−T2).
double offset_seconds(const Exchange& e);
double delay_seconds(const Exchange& e);

// RFC 4330 §5 checks on a reply to a request whose transmit field was `sent_transmit`:
// mode 4, same version, LI != 3, stratum 1..15, transmit != 0, origin == what we sent.
// Kiss-o'-death (stratum 0) is an Error of kind "kod" whose message names the code
// (e.g. RATE, DENY); the code alone is in kiss_code().
std::optional<Error> validate_reply(const SntpPacket& reply, NtpTimestamp sent_transmit, int version);
// The 4 ASCII characters of a kiss-o'-death refid, e.g. "RATE" ("" if not printable).
std::string kiss_code(std::uint32_t reference_id);
// Refid as operators see it: 4 characters for stratum 1 ("GPS", "PPS"), else a dotted quad.
std::string refid_text(int stratum, std::uint32_t reference_id);

// "host", "host:port", "[v6]", "[v6]:port" (a bare IPv6 address without brackets is accepted
// when it has more than one colon). Port defaults to 123.
struct HostPort {
  std::string host;
  std::string port = "123";
};
Result<HostPort> parse_host_port(std::string_view text);

struct SntpSample {
  double offset = 0;           // seconds, positive: the server is ahead of this host
  double delay = 0;            // round trip, seconds
  int stratum = 0;
  std::string refid;
  double root_distance = 0;    // root delay/2 + root dispersion of the server, seconds
  std::string server;          // the address answered, "127.0.0.1:123" or "[::1]:123"
  int samples = 0;             // how many valid samples the best was chosen from
};

struct SntpOptions {
  int samples = 4;                                  // exchanges; the lowest delay wins
  std::chrono::milliseconds spacing{20};            // pause between exchanges
  std::chrono::milliseconds timeout{2000};          // the whole query, DNS included
  std::chrono::milliseconds max_step_disagreement{10};  // realtime vs monotonic round trip
  int version = 4;
};

// Error kinds: "dns", "timeout", "kod", "invalid" (bad reply), "network", "stepped" (the
// clock stepped mid-exchange every time), "config" (bad host:port).
// T1/T4 come from clock.now() and the step check from clock.monotonic(); deadlines always use
// the real steady clock so a fake clock cannot make a query hang.
Result<SntpSample> query(std::string_view server, const SntpOptions& options, const Clock& clock);

}  // namespace hsops::net
