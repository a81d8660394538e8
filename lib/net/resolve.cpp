// getaddrinfo on a detached thread that the caller stops waiting for at its deadline.
#include "net/resolve.h"

#include <cstring>
#include <future>
#include <memory>
#include <thread>

namespace hsops::net {

std::string SocketAddress::host_text() const {
  char host[NI_MAXHOST] = "";
  if (::getnameinfo(sockaddr_ptr(), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return "?";
  return host;
}

std::string SocketAddress::text() const {
  char host[NI_MAXHOST] = "";
  char port[NI_MAXSERV] = "";
  if (::getnameinfo(sockaddr_ptr(), len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "?";
  }
  return family == AF_INET6 ? "[" + std::string(host) + "]:" + port : std::string(host) + ":" + port;
}

Result<std::vector<SocketAddress>> resolve(const std::string& host, const std::string& port, int socktype,
                                           std::chrono::steady_clock::time_point deadline) {
  auto promise = std::make_shared<std::promise<Result<std::vector<SocketAddress>>>>();
  auto future = promise->get_future();
  std::thread([host, port, socktype, promise] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) {
      promise->set_value(Error{ErrorKind::dns, "cannot resolve " + host + ": " + ::gai_strerror(rc)});
      return;
    }
    std::vector<SocketAddress> out;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      SocketAddress a;
      a.family = ai->ai_family;
      std::memcpy(&a.addr, ai->ai_addr, ai->ai_addrlen);
      a.len = ai->ai_addrlen;
      out.push_back(a);
    }
    ::freeaddrinfo(list);
    promise->set_value(std::move(out));
  }).detach();
  if (future.wait_until(deadline) != std::future_status::ready) {
    return Error{ErrorKind::dns, "resolving " + host + " did not finish in time"};
  }
  return future.get();
}

}  // namespace hsops::net
