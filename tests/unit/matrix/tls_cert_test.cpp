// Dating a TLS certificate: an in-process OpenSSL server with a fresh self-signed certificate,
// trusted or not, the right name or not; and peers that never answer or refuse.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "matrix/tls_cert.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

// A TLS server on 127.0.0.1 presenting a self-signed "localhost" certificate valid 10 days.
class TlsServer {
 public:
  TlsServer() {
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    cert_ = X509_new();
    X509_set_version(cert_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 10L * 86400);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(cert_, name);
    X509_set_pubkey(cert_, key_);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert_, cert_, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, "DNS:localhost");
    X509_add_ext(cert_, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert_, key_, nullptr);
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert_);
    SSL_CTX_use_PrivateKey(ctx_, key_);

    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~TlsServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  std::uint16_t port() const { return port_; }
  // The certificate as a PEM file, to trust it as a private CA.
  std::string write_pem(const std::filesystem::path& file) const {
    FILE* f = std::fopen(file.c_str(), "w");
    PEM_write_X509(f, cert_);
    std::fclose(f);
    return file.string();
  }

 private:
  void loop() {
    // The client hangs up right after the handshake: writes here must not SIGPIPE the test.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, c);
      SSL_accept(ssl);
      SSL_free(ssl);
      ::close(c);
    }
  }

  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

double days_left(const matrix::CertInfo& c) {
  return std::chrono::duration<double>(c.not_after - std::chrono::system_clock::now()).count() / 86400;
}

}  // namespace

TEST_CASE("a self-signed certificate is dated but does not verify", "[matrix][tls]") {
  TlsServer server;
  auto r = matrix::fetch_certificate("127.0.0.1", server.port(), "localhost", "", 1000ms, 3000ms);
  REQUIRE(r.ok());
  CHECK(days_left(r.value()) == Approx(10).margin(0.01));
  CHECK(r.value().subject == "/CN=localhost");
  CHECK_FALSE(r.value().verified);
  CHECK(r.value().verify_error.find("self-signed") != std::string::npos);
}

TEST_CASE("trusted via ca_file it verifies for its name / and not for another", "[matrix][tls]") {
  TlsServer server;
  const auto pem = server.write_pem(std::filesystem::temp_directory_path() / ("hsops-tls-" + std::to_string(::getpid()) + ".pem"));
  auto good = matrix::fetch_certificate("127.0.0.1", server.port(), "localhost", pem, 1000ms, 3000ms);
  REQUIRE(good.ok());
  CHECK(good.value().verified);
  auto wrong = matrix::fetch_certificate("127.0.0.1", server.port(), "matrix.example.org", pem, 1000ms, 3000ms);
  REQUIRE(wrong.ok());
  CHECK_FALSE(wrong.value().verified);
  CHECK(wrong.value().verify_error.find("hostname mismatch") != std::string::npos);
  std::filesystem::remove(pem);
}

TEST_CASE("a peer that never answers the handshake ends at the deadline", "[matrix][tls]") {
  test::LocalHttpServer hole(test::LocalHttpServer::Mode::black_hole);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = matrix::fetch_certificate("127.0.0.1", hole.port(), "localhost", "", 1000ms, 1500ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::timeout);
  CHECK(elapsed >= 1400ms);
  CHECK(elapsed < 2500ms);
}

TEST_CASE("a closed port is refused", "[matrix][tls]") {
  auto r = matrix::fetch_certificate("127.0.0.1", test::closed_port(), "localhost", "", 1000ms, 1500ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::refused);
}
