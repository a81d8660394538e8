// Non-blocking connect with poll() until the deadline, over every resolved address.
#include "net/tcp_connect.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hsops::net {
namespace {

int ms_left(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::clamp<long long>(left.count(), 0, 60000));
}

ErrorKind kind_of(int err) {
  if (err == ECONNREFUSED) return ErrorKind::refused;
  if (err == ETIMEDOUT) return ErrorKind::connect_timeout;
  return ErrorKind::network;
}

// One address: the connected socket, or why not.
Result<int> connect_one(const SocketAddress& to, std::chrono::steady_clock::time_point deadline) {
  const int fd = ::socket(to.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Error{ErrorKind::network, std::string("socket: ") + std::strerror(errno)};
  int err = 0;
  if (::connect(fd, to.sockaddr_ptr(), to.len) != 0) err = errno;
  if (err == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int rc = 0;
    do {
      rc = ::poll(&p, 1, ms_left(deadline));
    } while (rc < 0 && errno == EINTR && ms_left(deadline) > 0);
    if (rc <= 0) {
      ::close(fd);
      return Error{ErrorKind::connect_timeout, "connect to " + to.text() + " got no answer before the deadline"};
    }
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  }
  if (err != 0) {
    ::close(fd);
    return Error{kind_of(err), "connect to " + to.text() + ": " + std::strerror(err)};
  }
  return fd;
}

}  // namespace

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Result<TcpConnection> connect_tcp(const std::string& host, int port, std::chrono::steady_clock::time_point deadline) {
  auto addresses = resolve(host, std::to_string(port), SOCK_STREAM, deadline);
  if (!addresses) return addresses.error();
  return connect_tcp(addresses.value(), deadline);
}

Result<TcpConnection> connect_tcp(const std::vector<SocketAddress>& addresses, std::chrono::steady_clock::time_point deadline) {
  if (addresses.empty()) return Error{ErrorKind::dns, "no address to connect to"};
  Error last{ErrorKind::network, ""};
  for (const auto& to : addresses) {
    auto fd = connect_one(to, deadline);
    if (fd) return TcpConnection(fd.value(), to);
    last = fd.error();
    if (last.kind == ErrorKind::connect_timeout) break;  // the deadline is spent
  }
  return last;
}

}  // namespace hsops::net
