// A unix-socket client with poll() deadlines, and the two runtime API commands failover uses.
#include "failover/haproxy_runtime.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sstream>

namespace hsops::failover {
namespace {

using Steady = std::chrono::steady_clock;

int ms_left(Steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
  return left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 60000));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Result<bool> send_all(int fd, const std::string& text, Steady::time_point deadline, const std::string& where) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0) return Error{ErrorKind::timeout, where + ": sending the command timed out"};
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR && errno != EAGAIN) return Error{ErrorKind::network, where + ": send: " + std::strerror(errno)};
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

Result<std::string> haproxy_command(const std::filesystem::path& socket, const std::string& command, Millis timeout) {
  const auto deadline = Steady::now() + timeout;
  const std::string where = "haproxy runtime API " + socket.string();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket.string().size() >= sizeof addr.sun_path) return Error{ErrorKind::config, where + ": socket path too long"};
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (s.fd < 0) return Error{ErrorKind::network, where + ": socket: " + std::strerror(errno)};
  if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    return Error{ErrorKind::connect, where + ": " + std::strerror(errno) + " (is haproxy running with `stats socket " +
                                         socket.string() + " level admin`?)"};
  }
  if (auto sent = send_all(s.fd, command + "\n", deadline, where); !sent) return sent.error();
  std::string answer;
  char buffer[4096];
  for (;;) {
    pollfd p{s.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, ms_left(deadline));
    if (ready <= 0) return Error{ErrorKind::timeout, where + ": no complete answer to `" + command + "` in time"};
    const ssize_t n = ::recv(s.fd, buffer, sizeof buffer, 0);
    if (n == 0) break;  // haproxy closes after answering one command
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error{ErrorKind::network, where + ": recv: " + std::strerror(errno)};
    }
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  return answer;
}

std::vector<HaproxyServer> parse_show_stat(const std::string& csv, const std::string& backend) {
  std::vector<HaproxyServer> out;
  std::istringstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    std::string field;
    std::istringstream fs(line);
    while (std::getline(fs, field, ',')) fields.push_back(field);
    if (fields.size() < 18 || fields[0] != backend || fields[1] == "BACKEND" || fields[1] == "FRONTEND") continue;
    out.push_back({fields[1], fields[17]});
  }
  return out;
}

Result<std::vector<HaproxyServer>> haproxy_servers(const std::filesystem::path& socket, const std::string& backend,
                                                   Millis timeout) {
  auto answer = haproxy_command(socket, "show stat", timeout);
  if (!answer) return answer.error();
  auto servers = parse_show_stat(answer.value(), backend);
  if (servers.empty()) return Error{ErrorKind::config, "haproxy has no backend '" + backend + "' with servers"};
  return servers;
}

Result<bool> set_server_state(const std::filesystem::path& socket, const std::string& backend, const std::string& server,
                              const std::string& state, Millis timeout) {
  auto answer = haproxy_command(socket, "set server " + backend + "/" + server + " state " + state, timeout);
  if (!answer) return answer.error();
  std::string text = answer.value();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty()) return Error{ErrorKind::config, "haproxy refused `set server " + backend + "/" + server + " state " + state + "`: " + text};
  return true;
}

}  // namespace hsops::failover
