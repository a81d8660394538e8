// The test stack itself, end to end against the real programs (tests/harness/stack up):
// Synapse logs the probe user in over HTTP, a row written on the PostgreSQL primary is read
// back from the streaming standby, the hsops role has pg_monitor and nothing more, and
// lib/pg's statement timeout ends a slow statement.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "net/http.h"
#include "net/json.h"
#include "pg/connection.h"
#include "support/haproxy_api.h"
#include "support/stack_env.h"

using namespace std::chrono_literals;
using hsops::pg::Connection;
using hsops::test::stack_env;

namespace {

Connection connect_or_fail(const std::string& conninfo, hsops::pg::Options options = {}) {
  auto conn = Connection::open(conninfo, options);
  if (!conn.ok()) FAIL("connect: " << conn.error().message);
  return std::move(conn).value();
}

std::string unique_value() {
  std::random_device rd;
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return "stack-test-" + std::to_string(now) + "-" + std::to_string(rd());
}

}  // namespace

TEST_CASE("the probe user logs in to Synapse over HTTP and gets an access token") {
  const auto& env = stack_env();
  const std::string url = env.get("HSOPS_SYNAPSE_URL");
  const std::string user = env.get("HSOPS_PROBE_USER");

  hsops::net::Request versions;
  versions.url = url + "/_matrix/client/versions";
  auto v = hsops::net::perform_json(versions, nullptr);
  REQUIRE(v.ok());
  CHECK(v->http.status == 200);
  CHECK(v->json.contains("versions"));

  hsops::net::Request login;
  login.method = "POST";
  login.url = url + "/_matrix/client/v3/login";
  nlohmann::json body = {
      {"type", "m.login.password"},
      {"identifier", {{"type", "m.id.user"}, {"user", user}}},
      {"password", env.secret("HSOPS_PROBE_PASSWORD_FILE")},
  };
  auto r = hsops::net::perform_json(login, body);
  if (!r.ok()) FAIL("login request: " << hsops::kind_name(r.error()) << ": " << r.error().message);
  INFO("login answered HTTP " << r->http.status << ": " << r->http.body.substr(0, 300));
  REQUIRE(r->http.status == 200);
  REQUIRE(r->json.is_object());
  REQUIRE(r->json.contains("access_token"));
  const std::string token = r->json["access_token"].get<std::string>();
  CHECK_FALSE(token.empty());
  CHECK(r->json.value("user_id", "") == user);

  // The token works: whoami names the probe user.
  hsops::net::Request whoami;
  whoami.url = url + "/_matrix/client/v3/account/whoami";
  whoami.headers.emplace_back("Authorization", "Bearer " + token);
  auto w = hsops::net::perform_json(whoami, nullptr);
  REQUIRE(w.ok());
  CHECK(w->http.status == 200);
  CHECK(w->json.value("user_id", "") == user);
}

TEST_CASE("Synapse serves Prometheus metrics on its metrics listener") {
  const auto& env = stack_env();
  auto r = hsops::net::get(env.get("HSOPS_SYNAPSE_METRICS_URL"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body.find("synapse_") != std::string::npos);
}

TEST_CASE("a row written on the primary is read back from the hot standby") {
  const auto& env = stack_env();
  auto primary = connect_or_fail(env.get("HSOPS_PG_PRIMARY"));
  auto standby = connect_or_fail(env.get("HSOPS_PG_STANDBY"));

  auto recovery = standby.query("SELECT pg_is_in_recovery()");
  REQUIRE(recovery.ok());
  REQUIRE(recovery->rows.at(0).at(0) == std::optional<std::string>("t"));

  auto created = primary.query(
      "CREATE TABLE IF NOT EXISTS hsops_stack_test (value text PRIMARY KEY, written_at timestamptz NOT NULL "
      "DEFAULT now())");
  if (!created.ok()) FAIL(created.error().message);
  const std::string value = unique_value();
  auto inserted = primary.query("INSERT INTO hsops_stack_test (value) VALUES ($1)", {value});
  if (!inserted.ok()) FAIL(inserted.error().message);
  CHECK(inserted->affected == 1);

  // Poll the standby with a bounded deadline until the row has been replayed.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  std::optional<std::string> seen;
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    auto rows = standby.query("SELECT value FROM hsops_stack_test WHERE value = $1", {value});
    if (rows.ok() && !rows->empty()) {
      seen = rows->at(0, "value");
      break;
    }
    if (!rows.ok()) last_error = rows.error().message;  // table not replayed yet
    std::this_thread::sleep_for(50ms);
  }
  INFO("last standby error: " << last_error);
  REQUIRE(seen.has_value());
  CHECK(*seen == value);
}

TEST_CASE("the hsops role monitors replication (pg_monitor) but cannot write") {
  const auto& env = stack_env();
  auto mon = connect_or_fail(env.get("HSOPS_PG_MONITOR"));
  auto rows = mon.query(
      "SELECT application_name, state, pg_has_role(current_user, 'pg_monitor', 'MEMBER') AS monitor, "
      "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super "
      "FROM pg_stat_replication");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() >= 1);
  CHECK(rows->at(0, "state") == std::optional<std::string>("streaming"));
  CHECK(rows->at(0, "monitor") == std::optional<std::string>("t"));
  CHECK(rows->at(0, "super") == std::optional<std::string>("f"));

  auto write = mon.query("CREATE TABLE hsops_should_not_exist (x int)");
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().kind == hsops::ErrorKind::sql);
  CHECK(write.error().message.find("42501") != std::string::npos);

}

TEST_CASE("a wrong password is a connect error that does not repeat the password") {
  const auto& env = stack_env();
  const std::string conninfo = "host=127.0.0.1 port=" + env.get("HSOPS_PG_PRIMARY_PORT") +
                               " user=hsops dbname=postgres password=wrong-hunter2";
  auto conn = Connection::open(conninfo);
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.error().kind == hsops::ErrorKind::connect);
  CHECK(conn.error().message.find("password authentication failed") != std::string::npos);
  CHECK(conn.error().message.find("wrong-hunter2") == std::string::npos);
}

TEST_CASE("a statement longer than statement_timeout ends as a timeout / and NULLs come back as nullopt") {
  const auto& env = stack_env();
  hsops::pg::Options o;
  o.statement_timeout = 300ms;
  auto conn = connect_or_fail(env.get("HSOPS_PG_PRIMARY"), o);
  const auto t0 = std::chrono::steady_clock::now();
  auto slow = conn.query("SELECT pg_sleep(5)");
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.error().kind == hsops::ErrorKind::timeout);

  auto rows = conn.query("SELECT $1::text AS a, $2::int + 1 AS b", {std::nullopt, std::string("41")});
  REQUIRE(rows.ok());
  CHECK_FALSE(rows->at(0, "a").has_value());
  CHECK(rows->at(0, "b") == std::optional<std::string>("42"));
}

TEST_CASE("haproxy fronts Synapse: master UP and serving, spare in maintenance, runtime API at level admin") {
  const auto& env = stack_env();
  const std::string sock = env.get("HSOPS_HAPROXY_SOCKET");
  const auto before = hsops::test::haproxy_servers(sock, env.get("HSOPS_HAPROXY_BACKEND"));
  INFO(hsops::test::haproxy_command(sock, "show servers state synapse"));
  REQUIRE(before.count("master") == 1);
  REQUIRE(before.count("spare") == 1);
  CHECK(before.at("master").status == "UP");
  CHECK(before.at("spare").status == "MAINT");

  hsops::net::Request versions;
  versions.url = env.get("HSOPS_HAPROXY_URL") + "/_matrix/client/versions";
  auto v = hsops::net::perform_json(versions, nullptr);
  REQUIRE(v.ok());
  CHECK(v->http.status == 200);
  CHECK(v->json.contains("versions"));
  const auto after = hsops::test::haproxy_servers(sock, env.get("HSOPS_HAPROXY_BACKEND"));
  CHECK(after.at("master").stot > before.at("master").stot);
  CHECK(after.at("spare").stot == before.at("spare").stot);

  // Level admin: a state change is accepted (and undone); the spare's Synapse is not running,
  // so ready means its health check marks it DOWN, and traffic stays on master.
  CHECK(hsops::test::haproxy_command(sock, "set server synapse/spare state ready").find_first_not_of("\n") == std::string::npos);
  CHECK(hsops::test::haproxy_servers(sock, "synapse").at("spare").status != "MAINT");
  CHECK(hsops::test::haproxy_command(sock, "set server synapse/spare state maint").find_first_not_of("\n") == std::string::npos);
  CHECK(hsops::test::haproxy_servers(sock, "synapse").at("spare").status == "MAINT");
}
