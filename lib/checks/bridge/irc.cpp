#include "checks/bridge/irc.h"
#include "net/tcp_connect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace hsops::checks::bridge {
namespace {

int ms_left(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 60000));
}

std::string openssl_reason() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

bool is_ip_literal(const std::string& host) {
  unsigned char addr[16];
  return ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
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

IrcClient::IrcClient(IrcClient&& other) noexcept
    : fd_(other.fd_), ctx_(other.ctx_), ssl_(other.ssl_), buffer_(std::move(other.buffer_)), nick_(std::move(other.nick_)) {
  other.fd_ = -1;
  other.ctx_ = nullptr;
  other.ssl_ = nullptr;
}

IrcClient& IrcClient::operator=(IrcClient&& other) noexcept {
  if (this != &other) {
    close_connection();
    fd_ = other.fd_;
    ctx_ = other.ctx_;
    ssl_ = other.ssl_;
    buffer_ = std::move(other.buffer_);
    nick_ = std::move(other.nick_);
    other.fd_ = -1;
    other.ctx_ = nullptr;
    other.ssl_ = nullptr;
  }
  return *this;
}

IrcClient::~IrcClient() { close_connection(); }

void IrcClient::close_connection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

// Client handshake on the connected non-blocking socket, verifying the chain (system store +
// tls.ca_file) and the name, under the connect deadline.
Result<bool> IrcClient::handshake(const std::string& host, int port, const IrcTls& tls, SteadyTime deadline) {
  const std::string where = "IRC: TLS handshake with " + host + ":" + std::to_string(port);
  ERR_clear_error();
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) return Error{ErrorKind::tls, where + ": " + openssl_reason()};
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_set_default_verify_paths(ctx_) != 1) ERR_clear_error();  // a host without a store still may use ca_file
  if (!tls.ca_file.empty() && SSL_CTX_load_verify_locations(ctx_, tls.ca_file.c_str(), nullptr) != 1) {
    return Error{ErrorKind::tls, "IRC: cannot load CA file " + tls.ca_file + ": " + openssl_reason()};
  }
  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr) return Error{ErrorKind::tls, where + ": " + openssl_reason()};
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set1_host(ssl_, host.c_str());
  }
  SSL_set_fd(ssl_, fd_);
  for (;;) {
    const int rc = SSL_connect(ssl_);
    if (rc == 1) return true;
    const int want = SSL_get_error(ssl_, rc);
    if (want == SSL_ERROR_WANT_READ || want == SSL_ERROR_WANT_WRITE) {
      pollfd p{fd_, static_cast<short>(want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      const int ready = ::poll(&p, 1, ms_left(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return Error{ErrorKind::timeout, where + " timed out"};
      continue;
    }
    const long verdict = SSL_get_verify_result(ssl_);
    if (verdict != X509_V_OK) {
      ERR_clear_error();
      return Error{ErrorKind::tls, where + " failed: certificate not trusted: " + X509_verify_cert_error_string(verdict) +
                              (tls.ca_file.empty() ? " (set remote.ca_file to the server's CA)" : " (CA file " + tls.ca_file + ")")};
    }
    const std::string reason = openssl_reason();
    return Error{ErrorKind::tls, where + " failed" + (reason.empty() ? " (the server closed the connection; is this port TLS?)" : ": " + reason)};
  }
}

Result<bool> IrcClient::connect(const std::string& host, int port, const std::string& nick, const std::string& channel,
                                SteadyTime deadline, const IrcTls& tls) {
  auto connection = net::connect_tcp(host, port, deadline);
  if (!connection) return Error{connection.error().kind, "IRC: " + connection.error().message};
  const int fd = connection.value().release();
  close_connection();
  fd_ = fd;
  buffer_.clear();
  nick_ = nick;
  if (tls.enabled) {
    if (auto ok = handshake(host, port, tls, deadline); !ok) {
      close_connection();
      return ok;
    }
  }
  if (auto s = send_line("NICK " + nick); !s) return s;
  if (auto s = send_line("USER " + nick + " 0 * :hsops"); !s) return s;
  for (;;) {
    auto m = read(deadline);
    if (!m) return Error{m.error().kind, "IRC: registering as " + nick + ": " + m.error().message};
    if (m->command == "001") break;
    if (m->command == "433") return Error{ErrorKind::irc, "IRC: nick " + nick + " is in use"};
    if (m->command == "ERROR") return Error{ErrorKind::irc, "IRC: server closed the link: " + m->text};
  }
  if (auto s = send_line("JOIN " + channel); !s) return s;
  for (;;) {
    auto m = read(deadline);
    if (!m) return Error{m.error().kind, "IRC: joining " + channel + ": " + m.error().message};
    if (m->command == "JOIN" && m->nick() == nick) return true;
    if (m->command.size() == 3 && m->command[0] == '4') return Error{ErrorKind::irc, "IRC: JOIN " + channel + ": " + m->command + " " + m->text};
  }
}

Result<bool> IrcClient::send_line(const std::string& line) {
  if (fd_ < 0) return Error{ErrorKind::network, "IRC: not connected"};
  std::string out = line.substr(0, line.find_first_of("\r\n")) + "\r\n";
  std::size_t sent = 0;
  while (sent < out.size()) {
    short wait_for = 0;
    long n = 0;
    if (ssl_ != nullptr) {
      // A retried SSL_write gets the same buffer and length, as OpenSSL requires.
      const int rc = SSL_write(ssl_, out.data() + sent, static_cast<int>(out.size() - sent));
      if (rc > 0) n = rc;
      else if (const int e = SSL_get_error(ssl_, rc); e == SSL_ERROR_WANT_WRITE) wait_for = POLLOUT;
      else if (e == SSL_ERROR_WANT_READ) wait_for = POLLIN;
      else ERR_clear_error();
    } else {
      n = ::send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) wait_for = POLLOUT;
    }
    if (wait_for != 0) {
      pollfd p{fd_, wait_for, 0};
      if (::poll(&p, 1, 5000) <= 0) return Error{ErrorKind::timeout, "IRC: send timed out"};
      continue;
    }
    if (n <= 0) {
      close_connection();
      return Error{ErrorKind::network, "IRC: connection lost while sending"};
    }
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

Result<IrcMessage> IrcClient::read(SteadyTime deadline) {
  for (;;) {
    if (fd_ < 0) return Error{ErrorKind::network, "IRC: not connected"};
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
    // A busy channel must not keep a reader past its deadline either.
    if (std::chrono::steady_clock::now() >= deadline) return Error{ErrorKind::timeout, "IRC: nothing received before the deadline"};
    char chunk[4096];
    long n = 0;
    short wait_for = 0;
    if (ssl_ != nullptr) {
      // Read first: TLS may hold decrypted bytes that poll() cannot see.
      const int rc = SSL_read(ssl_, chunk, sizeof chunk);
      if (rc > 0) n = rc;
      else if (const int e = SSL_get_error(ssl_, rc); e == SSL_ERROR_WANT_READ) wait_for = POLLIN;
      else if (e == SSL_ERROR_WANT_WRITE) wait_for = POLLOUT;
      else ERR_clear_error();
    } else {
      n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) wait_for = POLLIN;
    }
    if (wait_for != 0) {
      pollfd p{fd_, wait_for, 0};
      const int ready = ::poll(&p, 1, ms_left(deadline));
      if (ready == 0) return Error{ErrorKind::timeout, "IRC: nothing received before the deadline"};
      continue;
    }
    if (n <= 0) {
      close_connection();
      return Error{ErrorKind::network, "IRC: the server closed the connection"};
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    if (buffer_.size() > (1 << 20)) buffer_.erase(0, buffer_.size() - (1 << 16));  // a flood cannot exhaust memory
  }
}

void IrcClient::quit(const std::string& reason) {
  if (fd_ < 0) return;
  (void)send_line("QUIT :" + reason);
  if (ssl_ != nullptr) (void)SSL_shutdown(ssl_);  // one non-blocking close_notify, no waiting
  close_connection();
}

}  // namespace hsops::checks::bridge
