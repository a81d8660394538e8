// report-stats outcomes as CheckResults: database down, push refused / answered / 5xx, the body.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "config/config.h"
#include "stats/sender/run.h"
#include "support/local_http_server.h"

using namespace hsops;
using namespace hsops::stats;
using hsops::test::LocalHttpServer;

namespace {

ReportStatsConfig config_for(const std::string& endpoint, bool anonymise = false) {
  const std::string yaml = "report_stats:\n  server_name: example.org\n  database:\n    conninfo: \"host=127.0.0.1 port=1 dbname=synapse\"\n"
                           "    connect_timeout: 2s\n  endpoint: \"" + endpoint + "\"\n  attempts: 2\n  anonymise: " +
                           (anonymise ? "true" : "false") + "\n";
  return read_report_stats_config(config::Document::parse(yaml, "t.yaml").root());
}

Report sample_report() {
  auto parsed = parse_report(R"({"homeserver":"example.org","timestamp":1700000000,"total_users":12,"daily_messages":3})");
  REQUIRE(parsed.ok());
  return parsed.value();
}

PushSettings settings(const std::filesystem::path& state_dir = "/nonexistent") {
  return PushSettings{state_dir, net::Deadlines{std::chrono::milliseconds(500), std::chrono::milliseconds(2000)}, "", "hsops/test"};
}

}  // namespace

TEST_CASE("report-stats: an unreachable database is UNKNOWN naming the database, never OK") {
  const FakeClock clock;
  const auto c = collect_report(config_for("http://127.0.0.1:1/push"), clock);
  CHECK_FALSE(c.report.has_value());
  CHECK(c.result.check == "report-stats");
  CHECK(c.result.status == Status::unknown);
  CHECK(c.result.summary.rfind("database: ", 0) == 0);
}

TEST_CASE("report-stats: a push answered 200 is OK with the status and attempts") {
  LocalHttpServer collector;
  collector.route("/push", {200, {{"Content-Type", "application/json"}}, "{}"});
  const FakeClock clock;
  const auto r = push_result(R"({"homeserver":"example.org"})", config_for(collector.url("/push")), settings(), clock);
  CHECK(r.status == Status::ok);
  CHECK(r.summary == "pushed to " + collector.url("/push") + ": HTTP 200 after 1 attempt(s)");
  REQUIRE(collector.requests().size() == 1);
  CHECK(collector.requests()[0].method == "PUT");
  CHECK(collector.requests()[0].body == R"({"homeserver":"example.org"})");
}

TEST_CASE("report-stats: a push that keeps failing is CRITICAL with the reason, credentials redacted") {
  LocalHttpServer collector;
  collector.route("/push", {503, {}, "overloaded"});
  const FakeClock clock;
  auto r = push_result("{}", config_for(collector.url("/push")), settings(), clock);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("HTTP 503") != std::string::npos);
  CHECK(collector.requests().size() == 2);  // attempts: 2, 5xx retried

  r = push_result("{}", config_for("http://user:hunter2@127.0.0.1:1/push"), settings(), clock);
  CHECK(r.status == Status::critical);
  CHECK(r.summary.rfind("push to http://", 0) == 0);
  CHECK(r.summary.find("hunter2") == std::string::npos);
}

TEST_CASE("report-stats: the pushed body is pseudonymised with a secret kept in the state dir") {
  const auto dir = std::filesystem::temp_directory_path() / ("hsops-run-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto plain = body_to_push(sample_report(), config_for("http://127.0.0.1:1/"), dir);
  REQUIRE(plain.ok());
  CHECK(plain.value().find("example.org") != std::string::npos);
  const auto first = body_to_push(sample_report(), config_for("http://127.0.0.1:1/", true), dir);
  const auto second = body_to_push(sample_report(), config_for("http://127.0.0.1:1/", true), dir);
  REQUIRE(first.ok());
  CHECK(first.value().find("example.org") == std::string::npos);
  CHECK(first.value() == second.value());
  CHECK(std::filesystem::exists(dir / "report-stats.secret"));
  // A state dir that is a file: the secret cannot be kept, said as an error, nothing sent.
  std::ofstream(dir / "file") << "x";
  CHECK_FALSE(body_to_push(sample_report(), config_for("http://127.0.0.1:1/", true), dir / "file").ok());
  std::filesystem::remove_all(dir);
}
