#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "net/sntp.h"

using namespace hsops;
using namespace hsops::net;
using namespace std::chrono;

namespace {

// Exact to the nanosecond (a double of Unix nanoseconds would not be).
WallTime at_unix(double s) {
  const auto whole = static_cast<std::int64_t>(s);
  const auto ns = static_cast<std::int64_t>((s - static_cast<double>(whole)) * 1e9 + 0.5);
  return WallTime{duration_cast<WallTime::duration>(seconds(whole) + nanoseconds(ns))};
}

SntpPacket good_reply(NtpTimestamp origin) {
  SntpPacket p;
  p.version = 4;
  p.mode = 4;
  p.stratum = 2;
  p.origin = origin;
  p.receive = {3'900'000'000u, 0};
  p.transmit = {3'900'000'000u, 1};
  return p;
}

}  // namespace

TEST_CASE("SNTP request encodes to the bytes RFC 4330 describes", "[net][sntp]") {
  SntpPacket request;
  request.version = 4;
  request.mode = 3;
  request.transmit = {0xE3D2A1B0u, 0x80000000u};
  const SntpBytes b = encode(request);
  CHECK(b[0] == 0x23);  // LI 0, VN 4, mode 3
  for (int i = 1; i < 40; ++i) CHECK(b[static_cast<std::size_t>(i)] == 0);
  CHECK(b[40] == 0xE3);
  CHECK(b[41] == 0xD2);
  CHECK(b[42] == 0xA1);
  CHECK(b[43] == 0xB0);
  CHECK(b[44] == 0x80);
  CHECK(b[47] == 0x00);

  request.version = 3;
  CHECK(encode(request)[0] == 0x1B);
}

TEST_CASE("SNTP packet decodes known bytes and round-trips", "[net][sntp]") {
  // A reply from a stratum-1 GPS server: LI 0, VN 4, mode 4, poll 6, precision -20.
  std::uint8_t bytes[52] = {0x24, 0x01, 0x06, 0xEC, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 'G', 'P', 'S', 0};
  bytes[24] = 0x12;  // origin seconds 0x12000000
  bytes[47] = 0x07;  // transmit fraction 7
  auto p = decode(bytes, sizeof bytes);  // 4 extra bytes (a MAC, say) are ignored
  REQUIRE(p);
  CHECK(p->leap == 0);
  CHECK(p->version == 4);
  CHECK(p->mode == 4);
  CHECK(p->stratum == 1);
  CHECK(p->poll == 6);
  CHECK(p->precision == -20);
  CHECK(short_to_seconds(p->root_delay) == Approx(16.0 / 65536));
  CHECK(short_to_seconds(p->root_dispersion) == Approx(32.0 / 65536));
  CHECK(refid_text(p->stratum, p->reference_id) == "GPS");
  CHECK(p->origin.seconds == 0x12000000u);
  CHECK(p->transmit.fraction == 7u);
  const SntpBytes again = encode(*p);
  CHECK(std::equal(again.begin(), again.end(), bytes));

  CHECK_FALSE(decode(bytes, 47));
  CHECK(refid_text(3, 0xC0A80001u) == "192.168.0.1");
  CHECK(refid_text(1, 0x7F7F0101u) == "127.127.1.1");  // chrony's `local stratum 1`
}

TEST_CASE("NTP timestamps convert to Unix time and back", "[net][sntp]") {
  const WallTime t = at_unix(1'700'000'000.25);
  const NtpTimestamp n = to_ntp(t);
  CHECK(n.seconds == 1'700'000'000u + 2'208'988'800u);
  CHECK(n.fraction == 0x40000000u);
  CHECK(from_ntp(n, t) == t);
  // The Unix epoch is NTP 2208988800.
  CHECK(to_ntp(at_unix(0)).seconds == 2'208'988'800u);
}

TEST_CASE("NTP era wrap in 2036 picks the era nearest local time", "[net][sntp]") {
  // Era 1 starts 2036-02-07T06:28:16Z = Unix 2085978496.
  const double wrap = 2'085'978'496.0;
  const WallTime before = at_unix(wrap - 10);
  const WallTime after = at_unix(wrap + 10);
  CHECK(to_ntp(before).seconds == 0xFFFFFFF6u);
  CHECK(to_ntp(after).seconds == 10u);
  // A server just past the wrap, seen from a client just before it, and vice versa.
  CHECK(from_ntp(to_ntp(after), before) == after);
  CHECK(from_ntp(to_ntp(before), after) == before);
  // Far from the wrap, in 2024, a small value would be 2036+ and is 12 years away: still era 1
  // since it is within ±68 years.
  CHECK(from_ntp(NtpTimestamp{10u, 0}, at_unix(1'700'000'000)) == at_unix(wrap + 10));
  // 2100 is in era 1.
  const WallTime y2100 = at_unix(4'102'444'800.0);
  CHECK(from_ntp(to_ntp(y2100), at_unix(4'000'000'000.0)) == y2100);
}

TEST_CASE("offset and delay from four known timestamps", "[net][sntp]") {
  // Client 2.5 s behind, 10 ms each way, server holds 1 ms.
  const Exchange e{at_unix(1000.000), at_unix(1002.510), at_unix(1002.511), at_unix(1000.021)};
  CHECK(offset_seconds(e) == Approx(2.5).margin(1e-6));
  CHECK(delay_seconds(e) == Approx(0.020).margin(1e-6));
  const Exchange behind{at_unix(1000.0), at_unix(999.0), at_unix(999.0), at_unix(1000.0)};
  CHECK(offset_seconds(behind) == Approx(-1.0));
}

TEST_CASE("replies that must be rejected", "[net][sntp]") {
  const NtpTimestamp nonce{0x12345678u, 0x9abcdef0u};
  CHECK_FALSE(validate_reply(good_reply(nonce), nonce, 4).has_value());

  SntpPacket kod = good_reply(nonce);
  kod.stratum = 0;
  kod.reference_id = 0x52415445u;  // "RATE"
  auto e = validate_reply(kod, nonce, 4);
  REQUIRE(e);
  CHECK(e->kind == hsops::ErrorKind::kod);
  CHECK_THAT(e->message, Catch::Contains("RATE"));
  CHECK(kiss_code(0x44454E59u) == "DENY");

  SntpPacket s16 = good_reply(nonce);
  s16.stratum = 16;
  CHECK(validate_reply(s16, nonce, 4)->message.find("stratum 16") != std::string::npos);

  SntpPacket alarm = good_reply(nonce);
  alarm.leap = 3;
  CHECK(validate_reply(alarm, nonce, 4)->message.find("unsynchronised") != std::string::npos);

  SntpPacket zero = good_reply(nonce);
  zero.transmit = {};
  CHECK(validate_reply(zero, nonce, 4)->message.find("zero transmit") != std::string::npos);

  SntpPacket spoofed = good_reply({1, 2});
  CHECK(validate_reply(spoofed, nonce, 4)->message.find("origin") != std::string::npos);
  // A spoofed kiss-o'-death is not believed either.
  kod.origin = {1, 2};
  CHECK(validate_reply(kod, nonce, 4)->kind == hsops::ErrorKind::invalid);

  SntpPacket client = good_reply(nonce);
  client.mode = 3;
  CHECK(validate_reply(client, nonce, 4));
  CHECK(validate_reply(good_reply(nonce), nonce, 3));  // version mismatch
}

TEST_CASE("server names: host / host:port / [v6]:port", "[net][sntp]") {
  CHECK(parse_host_port("pool.ntp.org")->host == "pool.ntp.org");
  CHECK(parse_host_port("pool.ntp.org")->port == "123");
  CHECK(parse_host_port("127.0.0.1:12345")->port == "12345");
  CHECK(parse_host_port("[::1]:1123")->host == "::1");
  CHECK(parse_host_port("[::1]:1123")->port == "1123");
  CHECK(parse_host_port("[2001:db8::1]")->port == "123");
  CHECK(parse_host_port("2001:db8::1")->host == "2001:db8::1");
  CHECK_FALSE(parse_host_port("host:99999"));
  CHECK_FALSE(parse_host_port("host:"));
  CHECK_FALSE(parse_host_port("[::1"));
  CHECK_FALSE(parse_host_port(""));
}

// A fake SNTP server on a loopback UDP socket: `reply` turns each request into the answer
// (or nullopt to stay silent).
class FakeServer {
 public:
  using Reply = std::function<std::optional<SntpPacket>(const SntpPacket& request)>;
  explicit FakeServer(Reply reply) : reply_(std::move(reply)) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      std::uint8_t buf[128];
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 48) continue;
      ++requests_;
      auto answer = reply_(*decode(buf, static_cast<std::size_t>(n)));
      if (!answer) continue;
      const SntpBytes out = encode(*answer);
      ::sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  Reply reply_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// Serves real time shifted by `shift` seconds.
FakeServer::Reply shifted(double shift, int stratum = 1, std::uint32_t refid = 0x47505300u) {
  return [=](const SntpPacket& req) -> std::optional<SntpPacket> {
    SntpPacket p;
    p.version = req.version;
    p.mode = 4;
    p.stratum = stratum;
    p.reference_id = refid;
    p.origin = req.transmit;
    const auto now = system_clock::now() + duration_cast<system_clock::duration>(duration<double>(shift));
    p.receive = to_ntp(now);
    p.transmit = to_ntp(now);
    return p;
  };
}

TEST_CASE("query: a fake server 2.5 s ahead is measured at +2.5 s", "[net][sntp][udp]") {
  FakeServer server(shifted(2.5));
  SystemClock clock;
  auto s = query(server.address(), SntpOptions{}, clock);
  REQUIRE(s);
  CHECK(s->offset == Approx(2.5).margin(0.005));
  CHECK(s->delay >= 0);
  CHECK(s->delay < 0.05);
  CHECK(s->stratum == 1);
  CHECK(s->refid == "GPS");
  CHECK(s->server == server.address());
  CHECK(s->samples == 4);
  CHECK(server.requests() == 4);
}

TEST_CASE("query: kiss-o'-death DENY stops after one request", "[net][sntp][udp]") {
  FakeServer server([](const SntpPacket& req) -> std::optional<SntpPacket> {
    SntpPacket p;
    p.mode = 4;
    p.stratum = 0;
    p.reference_id = 0x44454E59u;  // DENY
    p.origin = req.transmit;
    return p;
  });
  SystemClock clock;
  auto s = query(server.address(), SntpOptions{}, clock);
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == hsops::ErrorKind::kod);
  CHECK_THAT(s.error().message, Catch::Contains("DENY"));
  CHECK(server.requests() == 1);
}

TEST_CASE("query: a reply with the wrong origin is rejected", "[net][sntp][udp]") {
  FakeServer server([](const SntpPacket& req) -> std::optional<SntpPacket> {
    auto p = shifted(0)(req);
    p->origin.fraction ^= 1;
    return p;
  });
  SystemClock clock;
  auto s = query(server.address(), SntpOptions{}, clock);
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error().message, Catch::Contains("origin"));
}

TEST_CASE("query: a silent server ends at the deadline", "[net][sntp][udp]") {
  FakeServer server([](const SntpPacket&) -> std::optional<SntpPacket> { return std::nullopt; });
  SystemClock clock;
  SntpOptions options;
  options.timeout = milliseconds(300);
  const auto started = steady_clock::now();
  auto s = query(server.address(), options, clock);
  const auto took = steady_clock::now() - started;
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == hsops::ErrorKind::timeout);
  CHECK(took >= milliseconds(290));
  CHECK(took < milliseconds(600));
}

namespace {
// Steps the wall clock by a second on every reading after the first: every exchange straddles
// a step.
class SteppingClock final : public Clock {
 public:
  system_clock::time_point now() const override { return system_clock::now() + seconds(calls_++); }
  steady_clock::time_point monotonic() const override { return steady_clock::now(); }
  void sleep_for(nanoseconds d) const override { std::this_thread::sleep_for(d); }

 private:
  mutable std::atomic<int> calls_{0};
};
}  // namespace

TEST_CASE("query: samples taken while the clock steps are dropped", "[net][sntp][udp]") {
  FakeServer server(shifted(0));
  SteppingClock clock;
  auto s = query(server.address(), SntpOptions{}, clock);
  REQUIRE_FALSE(s);
  CHECK(s.error().kind == hsops::ErrorKind::stepped);
}
