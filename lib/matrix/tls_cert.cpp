#include "matrix/tls_cert.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <future>
#include <memory>
#include <thread>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace hsops::matrix {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

int ms_left(Steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Steady::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// getaddrinfo has no timeout of its own: run it on a thread we can abandon at the deadline.
Result<std::shared_ptr<addrinfo>> resolve(const std::string& host, std::uint16_t port, Steady::time_point deadline) {
  auto promise = std::make_shared<std::promise<std::shared_ptr<addrinfo>>>();
  auto future = promise->get_future();
  std::thread([promise, host, port] {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) res = nullptr;
    promise->set_value(std::shared_ptr<addrinfo>(res, [](addrinfo* p) { if (p) ::freeaddrinfo(p); }));
  }).detach();
  if (future.wait_until(deadline) != std::future_status::ready) return Error{ErrorKind::dns, "resolving " + host + " timed out"};
  auto res = future.get();
  if (!res) return Error{ErrorKind::dns, "cannot resolve " + host};
  return res;
}

Result<int> connect_with_deadline(const addrinfo* ai, Steady::time_point deadline, const std::string& where) {
  const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return Error{ErrorKind::network, "socket() failed"};
  if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
    const int e = errno;
    ::close(fd);
    return Error{e == ECONNREFUSED ? ErrorKind::refused : ErrorKind::network, where + ": connect failed"};
  }
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, ms_left(deadline)) != 1) {
    ::close(fd);
    return Error{ErrorKind::connect_timeout, where + ": no TCP connection within the connect deadline"};
  }
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    ::close(fd);
    return Error{err == ECONNREFUSED ? ErrorKind::refused : ErrorKind::network, where + ": connection refused or failed"};
  }
  return fd;
}

std::chrono::system_clock::time_point to_time(const ASN1_TIME* t) {
  std::tm tm{};
  ASN1_TIME_to_tm(t, &tm);
  return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

std::string name_of(const X509_NAME* name) {
  char buf[256];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

// OpenSSL writes with write(2): a peer that closes early would kill the process with SIGPIPE.
// Blocks it for this thread, and swallows one raised meanwhile, as libcurl does internally.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
};

}  // namespace

Result<CertInfo> fetch_certificate(const std::string& connect_host, std::uint16_t port, const std::string& tls_name,
                                   const std::string& ca_file, milliseconds connect_timeout, milliseconds total_timeout) {
  const SigpipeGuard no_sigpipe;
  const auto deadline = Steady::now() + total_timeout;
  const std::string where = connect_host + ":" + std::to_string(port);
  auto addrs = resolve(connect_host, port, std::min(deadline, Steady::now() + connect_timeout));
  if (!addrs) return addrs.error();
  auto fd = connect_with_deadline(addrs.value().get(), std::min(deadline, Steady::now() + connect_timeout), where);
  if (!fd) return fd.error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(ctx ? SSL_new(ctx.get()) : nullptr, &SSL_free);
  if (!ssl) {
    ::close(fd.value());
    return Error{ErrorKind::tls, "OpenSSL setup failed"};
  }
  SSL_CTX_set_default_verify_paths(ctx.get());
  if (!ca_file.empty()) SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr);
  // Verify but do not abort the handshake: we want the certificate even when it is bad.
  SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, nullptr);
  SSL_set_tlsext_host_name(ssl.get(), tls_name.c_str());
  SSL_set1_host(ssl.get(), tls_name.c_str());
  SSL_set_fd(ssl.get(), fd.value());
  for (;;) {
    const int rc = SSL_connect(ssl.get());
    if (rc == 1) break;
    const int want = SSL_get_error(ssl.get(), rc);
    pollfd p{fd.value(), static_cast<short>(want == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
    if ((want != SSL_ERROR_WANT_READ && want != SSL_ERROR_WANT_WRITE) || ::poll(&p, 1, ms_left(deadline)) != 1) {
      ::close(fd.value());
      return Error{want == SSL_ERROR_WANT_READ || want == SSL_ERROR_WANT_WRITE ? ErrorKind::timeout : ErrorKind::tls,
                   where + ": TLS handshake " + (want == SSL_ERROR_WANT_READ || want == SSL_ERROR_WANT_WRITE ? "timed out" : "failed")};
    }
  }
  X509* cert = SSL_get1_peer_certificate(ssl.get());
  CertInfo info;
  if (cert != nullptr) {
    info.not_after = to_time(X509_get0_notAfter(cert));
    info.not_before = to_time(X509_get0_notBefore(cert));
    info.subject = name_of(X509_get_subject_name(cert));
    info.issuer = name_of(X509_get_issuer_name(cert));
    X509_free(cert);
  }
  const long verdict = SSL_get_verify_result(ssl.get());
  info.verified = cert != nullptr && verdict == X509_V_OK;
  if (!info.verified) info.verify_error = cert == nullptr ? "no certificate" : X509_verify_cert_error_string(verdict);
  ::close(fd.value());  // no close_notify: nothing was sent that needs it
  if (cert == nullptr) return Error{ErrorKind::tls, where + ": the server sent no certificate"};
  return info;
}

}  // namespace hsops::matrix
