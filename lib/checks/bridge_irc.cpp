#include "checks/bridge_irc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hsops::checks::bridge {
namespace {

int ms_left(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 60000));
}

}  // namespace

std::optional<IrcMessage> parse_irc_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.empty()) return std::nullopt;
  IrcMessage m;
  if (line.front() == ':') {
    const auto sp = line.find(' ');
    m.prefix = std::string(line.substr(1, sp == std::string_view::npos ? std::string_view::npos : sp - 1));
    line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  }
  std::string_view trailing;
  if (const auto t = line.find(" :"); t != std::string_view::npos) {
    trailing = line.substr(t + 2);
    line = line.substr(0, t);
  }
  const auto sp = line.find(' ');
  m.command = std::string(line.substr(0, sp));
  if (sp != std::string_view::npos) {
    auto rest = line.substr(sp + 1);
    m.target = std::string(rest.substr(0, rest.find(' ')));
  }
  m.text = std::string(trailing);
  if (m.target.empty() && !trailing.empty()) m.target = m.text;  // "PING :token"
  return m;
}

IrcClient::IrcClient(IrcClient&& other) noexcept : fd_(other.fd_), buffer_(std::move(other.buffer_)), nick_(std::move(other.nick_)) {
  other.fd_ = -1;
}

IrcClient& IrcClient::operator=(IrcClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    buffer_ = std::move(other.buffer_);
    nick_ = std::move(other.nick_);
    other.fd_ = -1;
  }
  return *this;
}

IrcClient::~IrcClient() {
  if (fd_ >= 0) ::close(fd_);
}

Result<bool> IrcClient::connect(const std::string& host, int port, const std::string& nick, const std::string& channel,
                                SteadyTime deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return Error{"dns", "IRC: cannot resolve " + host};
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int rc = fd < 0 ? -1 : ::connect(fd, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);
  if (fd < 0) return Error{"network", std::string("IRC: socket: ") + std::strerror(errno)};
  if (rc != 0 && errno != EINPROGRESS) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Error{"refused", "IRC: connect to " + host + ":" + std::to_string(port) + ": " + why};
  }
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, ms_left(deadline)) <= 0) {
    ::close(fd);
    return Error{"connect_timeout", "IRC: connect to " + host + ":" + std::to_string(port) + " timed out"};
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    ::close(fd);
    return Error{"refused", "IRC: connect to " + host + ":" + std::to_string(port) + ": " + std::strerror(err)};
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  buffer_.clear();
  nick_ = nick;
  if (auto s = send_line("NICK " + nick); !s) return s;
  if (auto s = send_line("USER " + nick + " 0 * :hsops"); !s) return s;
  for (;;) {
    auto m = read(deadline);
    if (!m) return Error{m.error().kind, "IRC: registering as " + nick + ": " + m.error().message};
    if (m->command == "001") break;
    if (m->command == "433") return Error{"irc", "IRC: nick " + nick + " is in use"};
    if (m->command == "ERROR") return Error{"irc", "IRC: server closed the link: " + m->text};
  }
  if (auto s = send_line("JOIN " + channel); !s) return s;
  for (;;) {
    auto m = read(deadline);
    if (!m) return Error{m.error().kind, "IRC: joining " + channel + ": " + m.error().message};
    if (m->command == "JOIN" && m->nick() == nick) return true;
    if (m->command.size() == 3 && m->command[0] == '4') return Error{"irc", "IRC: JOIN " + channel + ": " + m->command + " " + m->text};
  }
}

Result<bool> IrcClient::send_line(const std::string& line) {
  if (fd_ < 0) return Error{"network", "IRC: not connected"};
  std::string out = line.substr(0, line.find_first_of("\r\n")) + "\r\n";
  std::size_t sent = 0;
  while (sent < out.size()) {
    const auto n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 5000) <= 0) return Error{"timeout", "IRC: send timed out"};
      continue;
    }
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;
      return Error{"network", "IRC: connection lost while sending"};
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Result<IrcMessage> IrcClient::read(SteadyTime deadline) {
  for (;;) {
    if (fd_ < 0) return Error{"network", "IRC: not connected"};
    if (const auto eol = buffer_.find('\n'); eol != std::string::npos) {
      const std::string line = buffer_.substr(0, eol);
      buffer_.erase(0, eol + 1);
      auto m = parse_irc_line(line);
      if (!m) continue;
      if (m->command == "PING") {
        if (auto s = send_line("PONG :" + m->text); !s) return s.error();
        continue;
      }
      return *m;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, ms_left(deadline));
    if (ready == 0) return Error{"timeout", "IRC: nothing received before the deadline"};
    if (ready < 0 && errno == EINTR) continue;
    char chunk[4096];
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;
      return Error{"network", "IRC: the server closed the connection"};
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (buffer_.size() > (1 << 20)) buffer_.erase(0, buffer_.size() - (1 << 16));  // a flood cannot exhaust memory
  }
}

void IrcClient::quit(const std::string& reason) {
  if (fd_ < 0) return;
  (void)send_line("QUIT :" + reason);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace hsops::checks::bridge
