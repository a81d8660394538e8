// A tiny HTTP/1.1 server for tests, header-only, plain POSIX sockets.
//
//   hsops::test::LocalHttpServer server;                  // 127.0.0.1, ephemeral port
//   server.route("/_matrix/client/versions", {200, {{"Content-Type", "application/json"}},
//                R"({"versions":["v1.1"]})"});
//   auto r = net::get(server.url("/_matrix/client/versions"));
//   CHECK(server.request_count("/_matrix/client/versions") == 1);
//
//   hsops::test::LocalHttpServer hole(hsops::test::LocalHttpServer::Mode::black_hole);
//   // accepts every TCP connection and never sends a byte: a wedged peer.
//
//   hsops::test::LocalHttpServer dropped(hsops::test::LocalHttpServer::Mode::syn_drop);
//   // never completes a TCP handshake (full accept queue, SYNs dropped): a lost route.
//
// Behaviour: one thread accepts, one thread per connection serves exactly one request and
// closes (Connection: close). Routes match the path without the query string; unknown paths
// get 404. A request that does not start like HTTP (e.g. a TLS ClientHello) gets a 400 at
// once, as nginx does. Every wait is a poll() with a short timeout, so the destructor stops
// and joins everything promptly even while clients hang or the server stalls on purpose.
// Requests are recorded (method, target, lower-cased headers, body, arrival time).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace hsops::test {

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before sending anything
  bool content_length = true;          // false: body delimited by closing the connection
  bool stall_after_headers = false;    // send status + headers, then never the body
};

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string path;    // target without the query
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::chrono::steady_clock::time_point received;
};

// A port on 127.0.0.1 that nothing listens on (bound, read, closed): connecting is refused.
inline std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("closed_port: socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("closed_port: bind() failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class LocalHttpServer {
 public:
  enum class Mode {
    serve,       // answer requests from the routes
    black_hole,  // accept TCP connections, never read or send a byte
    syn_drop,    // never accept; the accept queue is kept full so the kernel drops new SYNs
  };

  explicit LocalHttpServer(Mode mode = Mode::serve) : mode_(mode) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("LocalHttpServer: socket() failed");
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, mode == Mode::syn_drop ? 0 : 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(listen_fd_);
      throw std::runtime_error("LocalHttpServer: bind/listen on 127.0.0.1 failed");
    }
    port_ = ntohs(addr.sin_port);
    if (mode == Mode::syn_drop) {
      fill_accept_queue(addr);
    } else {
      acceptor_ = std::thread([this] { accept_loop(); });
    }
  }

  ~LocalHttpServer() {
    stop_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
    for (const int fd : held_) ::close(fd);
    ::close(listen_fd_);
  }

  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>" + path.
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  void route(const std::string& path, CannedResponse response) {
    std::lock_guard lock(mutex_);
    routes_[path] = std::move(response);
  }

  // A response computed from the request (a fixture that validates, or keeps state); called
  // on the connection's thread, under no lock of the server's.
  using Handler = std::function<CannedResponse(const RecordedRequest&)>;
  void handle(const std::string& path, Handler handler) {
    std::lock_guard lock(mutex_);
    handlers_[path] = std::move(handler);
  }

  // TCP connections accepted so far (in black-hole mode the only thing that happens).
  int connection_count() const { return connections_.load(); }
  int request_count() const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(requests_.size());
  }
  int request_count(const std::string& path) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(requests_.begin(), requests_.end(),
                                          [&](const RecordedRequest& r) { return r.path == path; }));
  }
  std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  static constexpr int kPollMs = 20;
  static constexpr std::size_t kMaxHead = 64 * 1024;

  // With backlog 0 Linux queues one connection; while that one is never accepted, further
  // SYNs are dropped and clients time out in connect(). Two fillers make sure it is full.
  void fill_accept_queue(const sockaddr_in& addr) {
    for (int i = 0; i < 2; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) throw std::runtime_error("LocalHttpServer: socket() failed");
      ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
      held_.push_back(fd);
    }
    pollfd p{held_.front(), POLLOUT, 0};
    if (::poll(&p, 1, 1000) != 1) throw std::runtime_error("LocalHttpServer: could not fill the accept queue");
  }

  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, kPollMs) <= 0) continue;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard lock(mutex_);
      if (mode_ == Mode::black_hole) {
        held_.push_back(fd);  // never read, never written, closed by the destructor
      } else {
        workers_.emplace_back([this, fd] { serve(fd); ::close(fd); });
      }
    }
  }

  // Sleeps up to `duration`, waking early when the server stops.
  bool sleep_unless_stopped(std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (!stop_ && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<long>(kPollMs, duration.count())));
    }
    return !stop_;
  }

  // Reads until `buffer` holds `want` bytes (or the head's end when want == 0).
  bool read_until(int fd, std::string& buffer, std::size_t want) {
    char chunk[8192];
    while (!stop_) {
      if (want == 0 ? buffer.find("\r\n\r\n") != std::string::npos : buffer.size() >= want) return true;
      if (want == 0 && (buffer.size() > kMaxHead || !looks_like_http(buffer))) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, kPollMs) <= 0) continue;
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    return false;
  }

  static bool looks_like_http(const std::string& head) {
    return std::all_of(head.begin(), head.end(), [](unsigned char c) {
      return c == '\r' || c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f);
    });
  }

  bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size() && !stop_) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, kPollMs) <= 0) continue;
      // MSG_NOSIGNAL: a client that gives up (body cap, deadline) must not SIGPIPE the test.
      const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return sent == data.size();
  }

  void serve(int fd) {
    std::string buffer;
    if (!read_until(fd, buffer, 0)) {
      if (!looks_like_http(buffer)) send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    RecordedRequest request = parse_head(buffer);
    const std::size_t head_end = buffer.find("\r\n\r\n") + 4;
    std::size_t body_length = 0;
    if (const auto it = request.headers.find("content-length"); it != request.headers.end()) {
      try {
        body_length = std::stoul(it->second);
      } catch (const std::exception&) {
        return;  // not a number: drop the connection
      }
    }
    if (!read_until(fd, buffer, head_end + body_length)) return;
    request.body = buffer.substr(head_end, body_length);
    request.received = std::chrono::steady_clock::now();

    CannedResponse response{404, {}, "not found\n"};
    Handler handler;
    {
      std::lock_guard lock(mutex_);
      if (const auto it = routes_.find(request.path); it != routes_.end()) response = it->second;
      if (const auto it = handlers_.find(request.path); it != handlers_.end()) handler = it->second;
      requests_.push_back(request);
    }
    if (handler) response = handler(request);
    if (!sleep_unless_stopped(response.delay)) return;
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " Canned\r\nConnection: close\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    if (response.content_length) head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    head += "\r\n";
    if (!send_all(fd, head)) return;
    if (response.stall_after_headers) {
      while (sleep_unless_stopped(std::chrono::milliseconds(kPollMs))) {
      }
      return;
    }
    send_all(fd, response.body);
    ::shutdown(fd, SHUT_WR);
  }

  static RecordedRequest parse_head(const std::string& buffer) {
    RecordedRequest request;
    std::size_t line_end = buffer.find("\r\n");
    const std::string request_line = buffer.substr(0, line_end);
    const std::size_t sp1 = request_line.find(' ');
    const std::size_t sp2 = request_line.find(' ', sp1 + 1);
    request.method = request_line.substr(0, sp1);
    request.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    request.path = request.target.substr(0, request.target.find('?'));
    const std::size_t head_end = buffer.find("\r\n\r\n");
    while (line_end < head_end) {
      const std::size_t start = line_end + 2;
      line_end = buffer.find("\r\n", start);
      const std::string line = buffer.substr(start, line_end - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      const std::size_t value_start = line.find_first_not_of(" \t", colon + 1);
      request.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
    }
    return request;
  }

  const Mode mode_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::map<std::string, CannedResponse> routes_;
  std::map<std::string, Handler> handlers_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::thread> workers_;
  std::vector<int> held_;
};

}  // namespace hsops::test
