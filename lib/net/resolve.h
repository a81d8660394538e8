// Name resolution with a deadline, and socket addresses as text. getaddrinfo has no timeout of
// its own; a hung resolver must not hang a check, so the lookup is abandoned at the deadline.
#pragma once

#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace hsops::net {

struct SocketAddress {
  int family = 0;
  sockaddr_storage addr{};
  socklen_t len = 0;

  const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&addr); }
  std::string host_text() const;  // "192.0.2.1", "2001:db8::1"
  std::string text() const;       // "192.0.2.1:123", "[2001:db8::1]:123"
};

// Every address of host:port for the socket type (SOCK_STREAM, SOCK_DGRAM), in getaddrinfo's
// order. ErrorKind::dns when the name does not resolve or the deadline passes first.
Result<std::vector<SocketAddress>> resolve(const std::string& host, const std::string& port, int socktype,
                                           std::chrono::steady_clock::time_point deadline);

}  // namespace hsops::net
