// lib/pg without a server: the pure helpers, and connection failures that need no service
// (refused port, a listener that never answers, bad conninfo) -- fast, no root.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "pg/connection.h"

using namespace std::chrono_literals;
using hsops::pg::Connection;
using hsops::pg::Options;

namespace {

// A loopback TCP listener that never accepts: the kernel completes the handshake, then
// nothing is ever said -- the black-holed peer every deadline must survive.
struct SilentListener {
  int fd = -1;
  int port = 0;
  SilentListener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
};

// A port with nothing listening: bind, read the port, close.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

}  // namespace

TEST_CASE("connect_timeout is whole seconds / rounded up / at least 2") {
  CHECK(hsops::pg::connect_timeout_seconds(0ms) == 2);
  CHECK(hsops::pg::connect_timeout_seconds(-5ms) == 2);
  CHECK(hsops::pg::connect_timeout_seconds(1ms) == 2);
  CHECK(hsops::pg::connect_timeout_seconds(2000ms) == 2);
  CHECK(hsops::pg::connect_timeout_seconds(2001ms) == 3);
  CHECK(hsops::pg::connect_timeout_seconds(10000ms) == 10);
}

TEST_CASE("session options set statement_timeout in milliseconds") {
  Options o;
  o.statement_timeout = 1500ms;
  CHECK(hsops::pg::session_options(o) == "-c statement_timeout=1500");
  o.statement_timeout = -1ms;
  CHECK(hsops::pg::session_options(o) == "-c statement_timeout=0");
}

TEST_CASE("redact_conninfo hides passwords in keyword and URI forms") {
  auto kw = hsops::pg::redact_conninfo("host=127.0.0.1 port=5432 user=hsops password=s3cr3t dbname=postgres");
  CHECK(kw.find("s3cr3t") == std::string::npos);
  CHECK(kw.find("password=***") != std::string::npos);
  CHECK(kw.find("user=hsops") != std::string::npos);
  CHECK(kw.find("port=5432") != std::string::npos);

  auto uri = hsops::pg::redact_conninfo("postgresql://hsops:s3cr3t@127.0.0.1:5432/postgres");
  CHECK(uri.find("s3cr3t") == std::string::npos);
  CHECK(uri.find("password=***") != std::string::npos);

  auto quoted = hsops::pg::redact_conninfo("host=/tmp/x application_name='a b'");
  CHECK(quoted.find("application_name='a b'") != std::string::npos);

  CHECK(hsops::pg::redact_conninfo("host=x password='unterminated") == "(unparsable connection string)");
}

TEST_CASE("SQLSTATE 57014 (statement_timeout) is a timeout / others are sql errors") {
  CHECK(hsops::pg::error_kind_for_sqlstate("57014") == hsops::ErrorKind::timeout);
  CHECK(hsops::pg::error_kind_for_sqlstate("42P01") == hsops::ErrorKind::sql);
  CHECK(hsops::pg::error_kind_for_sqlstate("") == hsops::ErrorKind::sql);
}

TEST_CASE("tidy_message trims / joins lines and scrubs the secret") {
  CHECK(hsops::pg::tidy_message("a\nb\n") == "a; b");
  CHECK(hsops::pg::tidy_message("  \n") == "");
  CHECK(hsops::pg::tidy_message("bad pw hunter2 here", "hunter2") == "bad pw *** here");
  CHECK(hsops::pg::tidy_message("x", "") == "x");
}

TEST_CASE("Rows finds columns by name") {
  hsops::pg::Rows rows;
  rows.columns = {"a", "b"};
  rows.rows = {{std::string("1"), std::nullopt}};
  CHECK(rows.column("b") == 1u);
  CHECK_FALSE(rows.column("c").has_value());
  CHECK(rows.at(0, "a") == std::optional<std::string>("1"));
  CHECK_FALSE(rows.at(0, "b").has_value());
  CHECK_THROWS_AS(rows.at(0, "c"), std::out_of_range);
  CHECK_THROWS_AS(rows.at(1, "a"), std::out_of_range);
}

TEST_CASE("a refused connection is a connect error without the password") {
  const std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(closed_port()) + " user=hsops password=hunter2 dbname=postgres";
  auto conn = Connection::open(conninfo);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().kind == hsops::ErrorKind::connect);
  CHECK(conn.error().message.find("hunter2") == std::string::npos);
  CHECK(conn.error().message.find("hsops@127.0.0.1") != std::string::npos);
}

TEST_CASE("a peer that accepts and never answers ends at connect_timeout") {
  SilentListener silent;
  Options o;
  o.connect_timeout = 2000ms;
  const auto t0 = std::chrono::steady_clock::now();
  auto conn = Connection::open("host=127.0.0.1 port=" + std::to_string(silent.port) +
                                   " user=hsops dbname=postgres sslmode=disable",
                               o);
  const auto took = std::chrono::steady_clock::now() - t0;
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().kind == hsops::ErrorKind::connect);
  CHECK(took < 6s);
}

TEST_CASE("a malformed conninfo is a connect error") {
  auto conn = Connection::open("host=127.0.0.1 nosuchoption=1 password=hunter2");
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().kind == hsops::ErrorKind::connect);
  CHECK(conn.error().message.find("hunter2") == std::string::npos);
}
