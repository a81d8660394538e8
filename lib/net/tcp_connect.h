// A TCP connection opened under a deadline: resolve, then a non-blocking connect to each
// address in turn until one answers. A black-holed peer ends at the deadline, never later.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/resolve.h"

namespace hsops::net {

// An open connection; closes its socket when destroyed.
class TcpConnection {
 public:
  TcpConnection(int fd, SocketAddress peer) : fd_(fd), peer_(peer) {}
  TcpConnection(TcpConnection&& other) noexcept : fd_(other.fd_), peer_(other.peer_) { other.fd_ = -1; }
  TcpConnection& operator=(TcpConnection&&) = delete;
  TcpConnection(const TcpConnection&) = delete;
  ~TcpConnection();

  int fd() const { return fd_; }
  // The caller takes over the socket (and closing it).
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  const SocketAddress& peer() const { return peer_; }

 private:
  int fd_;
  SocketAddress peer_;
};

// Error kinds: "dns" (no such name, or resolving outlived the deadline), "connect_timeout"
// (no answer before the deadline: a black hole or a filtering firewall), "refused" (a reset:
// nothing listens), "network" (no route, unreachable, any other socket error). The socket is
// non-blocking.
Result<TcpConnection> connect_tcp(const std::string& host, int port, std::chrono::steady_clock::time_point deadline);
// The same over addresses already resolved (tried in order); empty is ErrorKind::dns.
Result<TcpConnection> connect_tcp(const std::vector<SocketAddress>& addresses, std::chrono::steady_clock::time_point deadline);

}  // namespace hsops::net
