// The pure half of the SNTP client: packet layout, timestamps, formulas, reply validation.
#include <cctype>
#include <cstdio>

#include "net/sntp.h"

namespace hsops::net {
namespace {

constexpr std::int64_t kNtpToUnix = 2'208'988'800;  // 1900-01-01 .. 1970-01-01 in seconds
constexpr std::int64_t kEra = std::int64_t{1} << 32;

void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
std::uint32_t get32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
void put_ts(std::uint8_t* p, NtpTimestamp t) {
  put32(p, t.seconds);
  put32(p + 4, t.fraction);
}
NtpTimestamp get_ts(const std::uint8_t* p) { return {get32(p), get32(p + 4)}; }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

double seconds_between(WallTime later, WallTime earlier) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(later - earlier).count()) / 1e9;
}

}  // namespace

SntpBytes encode(const SntpPacket& packet) {
  SntpBytes b{};
  b[0] = static_cast<std::uint8_t>(((packet.leap & 3) << 6) | ((packet.version & 7) << 3) | (packet.mode & 7));
  b[1] = static_cast<std::uint8_t>(packet.stratum);
  b[2] = static_cast<std::uint8_t>(static_cast<std::int8_t>(packet.poll));
  b[3] = static_cast<std::uint8_t>(static_cast<std::int8_t>(packet.precision));
  put32(&b[4], packet.root_delay);
  put32(&b[8], packet.root_dispersion);
  put32(&b[12], packet.reference_id);
  put_ts(&b[16], packet.reference);
  put_ts(&b[24], packet.origin);
  put_ts(&b[32], packet.receive);
  put_ts(&b[40], packet.transmit);
  return b;
}

Result<SntpPacket> decode(const std::uint8_t* data, std::size_t size) {
  if (size < kSntpPacketSize) {
    return Error{ErrorKind::invalid, "reply is " + std::to_string(size) + " bytes; an NTP packet has at least 48"};
  }
  SntpPacket p;
  p.leap = data[0] >> 6;
  p.version = (data[0] >> 3) & 7;
  p.mode = data[0] & 7;
  p.stratum = data[1];
  p.poll = static_cast<std::int8_t>(data[2]);
  p.precision = static_cast<std::int8_t>(data[3]);
  p.root_delay = get32(data + 4);
  p.root_dispersion = get32(data + 8);
  p.reference_id = get32(data + 12);
  p.reference = get_ts(data + 16);
  p.origin = get_ts(data + 24);
  p.receive = get_ts(data + 32);
  p.transmit = get_ts(data + 40);
  return p;
}

NtpTimestamp to_ntp(WallTime t) {
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const std::int64_t unix_s = floor_div(ns, 1'000'000'000);
  const std::int64_t sub_ns = ns - unix_s * 1'000'000'000;
  const auto seconds = static_cast<std::uint32_t>(static_cast<std::uint64_t>(unix_s + kNtpToUnix) & 0xffffffffu);
  const auto fraction = static_cast<std::uint32_t>((static_cast<std::uint64_t>(sub_ns) << 32) / 1'000'000'000u);
  return {seconds, fraction};
}

WallTime from_ntp(NtpTimestamp t, WallTime near) {
  const std::int64_t near_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(near.time_since_epoch()).count();
  const std::int64_t near_ntp = floor_div(near_ns, 1'000'000'000) + kNtpToUnix;  // full seconds since 1900
  // The era k that puts seconds + k·2^32 nearest to local time (within ±68 years).
  const std::int64_t era = floor_div(near_ntp - std::int64_t{t.seconds} + kEra / 2, kEra);
  const std::int64_t unix_s = std::int64_t{t.seconds} + era * kEra - kNtpToUnix;
  // Round the fraction to the nearest nanosecond.
  const auto frac_ns = static_cast<std::int64_t>(((std::uint64_t{t.fraction} * 1'000'000'000u) + (1u << 31)) >> 32);
  return WallTime{std::chrono::duration_cast<WallTime::duration>(
      std::chrono::nanoseconds{unix_s * 1'000'000'000 + frac_ns})};
}

double short_to_seconds(std::uint32_t value) { return static_cast<double>(value) / 65536.0; }

double offset_seconds(const Exchange& e) { return (seconds_between(e.t2, e.t1) + seconds_between(e.t3, e.t4)) / 2; }

double delay_seconds(const Exchange& e) { return seconds_between(e.t4, e.t1) - seconds_between(e.t3, e.t2); }

std::string kiss_code(std::uint32_t reference_id) {
  std::string code;
  for (int shift = 24; shift >= 0; shift -= 8) {
    const auto c = static_cast<unsigned char>((reference_id >> shift) & 0xff);
    if (c == 0) break;
    if (!std::isprint(c)) return "";
    code += static_cast<char>(c);
  }
  return code;
}

std::string refid_text(int stratum, std::uint32_t reference_id) {
  if (stratum <= 1) {
    if (std::string code = kiss_code(reference_id); !code.empty()) return code;
  }
  // Upstream IPv4 address (or an IPv6 hash, or chrony's 127.127.1.1 for `local`).
  char buf[20];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", reference_id >> 24, (reference_id >> 16) & 0xff,
                (reference_id >> 8) & 0xff, reference_id & 0xff);
  return buf;
}

std::optional<Error> validate_reply(const SntpPacket& reply, NtpTimestamp sent_transmit, int version) {
  if (reply.mode != 4) return Error{ErrorKind::invalid, "reply has mode " + std::to_string(reply.mode) + ", not 4 (server)"};
  if (reply.version != version) {
    return Error{ErrorKind::invalid, "reply has NTP version " + std::to_string(reply.version) + ", we asked with " +
                                std::to_string(version)};
  }
  // Before trusting anything else, even a kiss-o'-death: a reply must echo our nonce, or it
  // may be spoofed (or a stale answer to an earlier request).
  if (!(reply.origin == sent_transmit)) {
    return Error{ErrorKind::invalid, "reply's origin timestamp does not echo our request (spoofed or stale reply)"};
  }
  if (reply.stratum == 0) {
    const std::string code = kiss_code(reply.reference_id);
    std::string why = "kiss-o'-death " + (code.empty() ? std::string("(no code)") : code);
    if (code == "DENY" || code == "RSTR") why += ": the server refuses us; do not query it";
    else if (code == "RATE") why += ": the server asks us to query less often";
    return Error{ErrorKind::kod, why};
  }
  if (reply.leap == 3) return Error{ErrorKind::invalid, "server says it is unsynchronised (leap indicator 3)"};
  if (reply.stratum > 15) {
    return Error{ErrorKind::invalid, "server is unsynchronised (stratum " + std::to_string(reply.stratum) + ")"};
  }
  if (reply.transmit.zero()) return Error{ErrorKind::invalid, "reply has a zero transmit timestamp"};
  return std::nullopt;
}

Result<HostPort> parse_host_port(std::string_view text) {
  HostPort hp;
  auto bad = [&](const char* why) { return Error{ErrorKind::config, "bad NTP server '" + std::string(text) + "': " + why}; };
  if (text.empty()) return bad("empty");
  std::string_view port;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']'");
    hp.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':port' after ']'");
      port = rest.substr(1);
    }
  } else {
    const auto first = text.find(':');
    if (first != std::string_view::npos && text.find(':', first + 1) == std::string_view::npos) {
      hp.host = std::string(text.substr(0, first));
      port = text.substr(first + 1);
    } else {
      hp.host = std::string(text);  // a name, IPv4, or a bare IPv6 address
    }
  }
  if (hp.host.empty()) return bad("no host");
  if (!port.empty() || (text.back() == ':')) {
    if (port.empty() || port.size() > 5) return bad("bad port");
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return bad("port is not a number");
      value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 65535) return bad("port out of range");
    hp.port = std::string(port);
  }
  return hp;
}

}  // namespace hsops::net
