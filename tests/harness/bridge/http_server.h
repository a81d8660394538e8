// A tiny blocking HTTP/1.1 server for the test bridge (POSIX sockets, one thread per
// connection, Connection: close). Reads are bounded by poll() timeouts; a handler may block on
// purpose (the "hang" switch), which is the point of this fixture.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

namespace hsops::test_bridge {

struct HttpRequest {
  std::string method, target, path, query, body;
  std::map<std::string, std::string> headers;  // lower-cased names
};
struct HttpResponse {
  int status = 200;
  std::string body = "{}";
  // No Content-Length: the body ends when the connection closes, as servers that speak
  // HTTP/1.0 error pages do. Twisted reads that as a possible data loss (PartialDownloadError).
  bool end_by_close = false;
};
using Handler = std::function<HttpResponse(const HttpRequest&)>;

inline bool read_request(int fd, HttpRequest& req) {
  std::string data;
  char buf[8192];
  std::size_t head_end = std::string::npos;
  std::size_t want = 0;
  for (;;) {
    if (head_end != std::string::npos && data.size() >= head_end + 4 + want) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > (8u << 20)) return false;
    if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
      std::size_t pos = data.find("\r\n");
      const std::string first = data.substr(0, pos);
      const auto s1 = first.find(' '), s2 = first.rfind(' ');
      if (s1 == std::string::npos || s2 <= s1) return false;
      req.method = first.substr(0, s1);
      req.target = first.substr(s1 + 1, s2 - s1 - 1);
      while (pos < head_end) {
        const auto next = data.find("\r\n", pos + 2);
        const std::string line = data.substr(pos + 2, next - pos - 2);
        pos = next;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers[name] = value;
      }
      if (auto it = req.headers.find("content-length"); it != req.headers.end()) want = std::stoul(it->second);
    }
  }
  req.body = data.substr(head_end + 4, want);
  const auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  return true;
}

// Listens on 127.0.0.1:port and serves forever on a detached thread.
inline void serve(int port, Handler handler) {
  const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 64) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  std::thread([lfd, handler] {
    for (;;) {
      const int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::thread([fd, handler] {
        HttpRequest req;
        if (read_request(fd, req)) {
          const HttpResponse res = handler(req);
          const std::string out = "HTTP/1.1 " + std::to_string(res.status) + " X\r\nContent-Type: application/json\r\n" +
                                  (res.end_by_close ? "" : "Content-Length: " + std::to_string(res.body.size()) + "\r\n") +
                                  "Connection: close\r\n\r\n" + res.body;
          (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        }
        ::close(fd);
      }).detach();
    }
  }).detach();
}

}  // namespace hsops::test_bridge
