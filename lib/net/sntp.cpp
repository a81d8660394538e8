// The network half of the SNTP client: resolve, send, wait with poll() until a deadline,
// validate, and keep the lowest-delay sample. No call here can block past the deadline.
#include "net/sntp.h"
#include "net/resolve.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace hsops::net {
namespace {

using Steady = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

using Address = SocketAddress;

NtpTimestamp random_nonce() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t v = rng();
  NtpTimestamp t{static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
  if (t.zero()) t.fraction = 1;
  return t;
}

bool same_address(const sockaddr_storage& a, socklen_t alen, const Address& b) {
  return alen == b.len && std::memcmp(&a, &b.addr, alen) == 0;
}

double ms_left(Steady::time_point deadline) {
  return std::chrono::duration<double, std::milli>(deadline - Steady::now()).count();
}

// One request/reply exchange on a connected socket.
Result<SntpSample> exchange(int fd, const Address& peer, const SntpOptions& options, const Clock& clock,
                            Steady::time_point deadline) {
  SntpPacket request;
  request.version = options.version;
  request.mode = 3;
  // A random nonce instead of T1 (RFC 5905 data minimisation): it lets us reject spoofed or
  // stale replies, and T1 stays local.
  request.transmit = random_nonce();
  const SntpBytes bytes = encode(request);

  const WallTime t1 = clock.now();
  const auto m1 = clock.monotonic();
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
    return Error{ErrorKind::network, "send to " + peer.text() +
                                " failed: " + std::strerror(errno)};
  }
  std::uint8_t buf[512];
  for (;;) {
    const double left = ms_left(deadline);
    if (left <= 0) return Error{ErrorKind::timeout, "no reply before the deadline"};
    pollfd pfd{fd, POLLIN, 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(std::ceil(left)));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Error{ErrorKind::network, std::string("poll failed: ") + std::strerror(errno)};
    if (rc == 0) continue;  // the loop head turns an expired deadline into "timeout"
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    const WallTime t4 = clock.now();
    const auto m4 = clock.monotonic();
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
      if (errno == ECONNREFUSED) return Error{ErrorKind::refused, "port unreachable (nothing listens there)"};
      return Error{ErrorKind::network, std::string("receive failed: ") + std::strerror(errno)};
    }
    if (!same_address(from, from_len, peer)) continue;  // not from the server we asked: ignore
    auto reply = decode(buf, static_cast<std::size_t>(n));
    if (!reply) return reply.error();
    if (auto bad = validate_reply(*reply, request.transmit, options.version)) return *bad;

    const Exchange e{t1, from_ntp(reply->receive, t1), from_ntp(reply->transmit, t4), t4};
    // If the wall clock was stepped between T1 and T4 (by ntpd, chronyd, a VM resume), the
    // sample mixes two clocks: compare with the monotonic round trip and drop it.
    const double wall_rtt = std::chrono::duration<double>(t4 - t1).count();
    const double mono_rtt = std::chrono::duration<double>(m4 - m1).count();
    if (std::fabs(wall_rtt - mono_rtt) * 1000 > static_cast<double>(options.max_step_disagreement.count())) {
      return Error{ErrorKind::stepped, "the local clock stepped during the exchange; sample dropped"};
    }
    SntpSample s;
    s.offset = offset_seconds(e);
    s.delay = delay_seconds(e);
    if (s.delay < 0) return Error{ErrorKind::invalid, "negative round-trip delay; reply dropped"};
    s.stratum = reply->stratum;
    s.refid = refid_text(reply->stratum, reply->reference_id);
    s.root_distance = short_to_seconds(reply->root_delay) / 2 + short_to_seconds(reply->root_dispersion);
    s.server = peer.text();
    return s;
  }
}

}  // namespace

Result<SntpSample> query(std::string_view server, const SntpOptions& options, const Clock& clock) {
  const Steady::time_point deadline = Steady::now() + options.timeout;
  auto hp = parse_host_port(server);
  if (!hp) return hp.error();
  auto addresses = resolve(hp->host, hp->port, SOCK_DGRAM, deadline);
  if (!addresses) return addresses.error();
  if (addresses->empty()) return Error{ErrorKind::dns, hp->host + " has no addresses"};

  std::optional<Error> last_error;
  for (const Address& peer : *addresses) {
    Fd sock(::socket(peer.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (sock.fd < 0) {
      last_error = Error{ErrorKind::network, std::string("cannot open a UDP socket: ") + std::strerror(errno)};
      continue;
    }
    // connect() makes the kernel drop datagrams from anyone else and report ICMP unreachable.
    if (::connect(sock.fd, reinterpret_cast<const sockaddr*>(&peer.addr), peer.len) != 0) {
      last_error = Error{ErrorKind::network, "cannot reach " +
                                        peer.text() +
                                        ": " + std::strerror(errno)};
      continue;
    }
    std::optional<SntpSample> best;
    int valid = 0;
    for (int i = 0; i < std::max(1, options.samples); ++i) {
      if (i > 0) {
        if (ms_left(deadline) <= static_cast<double>(options.spacing.count())) break;
        clock.sleep_for(options.spacing);
      }
      auto sample = exchange(sock.fd, peer, options, clock, deadline);
      if (sample) {
        ++valid;
        if (!best || sample->delay < best->delay) best = *sample;
        continue;
      }
      last_error = sample.error();
      const ErrorKind kind = sample.error().kind;
      // Kiss-o'-death: stop asking (RFC 4330 §5). Timeout: the deadline is spent.
      if (kind == ErrorKind::kod || kind == ErrorKind::timeout || kind == ErrorKind::refused) break;
    }
    if (best) {
      best->samples = valid;
      return *best;
    }
    if (last_error && last_error->kind == ErrorKind::kod) break;
    if (ms_left(deadline) <= 0) break;
  }
  Error e = last_error.value_or(Error{ErrorKind::timeout, "no reply before the deadline"});
  if (e.kind == ErrorKind::timeout) {
    e.message = "no reply within " + std::to_string(options.timeout.count()) + " ms";
  }
  return e;
}

}  // namespace hsops::net
