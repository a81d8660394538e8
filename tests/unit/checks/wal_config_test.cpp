#include <catch2/catch.hpp>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "checks/replication/config.h"
#include "checks/wal/config.h"
#include "pg/conninfo.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

checks::Services services(const Clock& clock, std::optional<std::string> w = {}, std::optional<std::string> c = {},
                          std::optional<Millis> t = {}) {
  checks::Services s{.clock = clock, .warning = std::move(w), .critical = std::move(c), .timeout = t};
  s.global.state_dir = "/tmp/hsops-state";
  return s;
}

config::Section section(const config::Document& doc, const char* name) { return doc.root().child("checks").child(name); }

// The example uncommented, except the password lines (their file and variable do not exist here).
std::string uncommented(std::string_view example, const char* name) {
  std::istringstream in{std::string(example)};
  std::string text = std::string("checks:\n  ") + name + ":\n", line;
  const std::regex key_line(R"(^# ( *)((- )?[a-z_]+:.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, key_line) && m[2].str().rfind("password", 0) != 0) {
      text += "    " + m[1].str() + m[2].str() + "\n";
    }
  }
  return text;
}

}  // namespace

TEST_CASE("wal config: the shipped example parses and means the defaults", "[wal][config]") {
  const FakeClock clock;
  const auto doc = config::Document::parse(uncommented(checks::wal_check_info().example, "wal"), "t.yaml");
  const auto o = checks::read_wal_options(section(doc, "wal"), services(clock));
  CHECK(o.target.conninfo == "host=127.0.0.1 port=5432 user=hsops dbname=postgres");
  CHECK_FALSE(o.target.password);
  CHECK(o.target.options.connect_timeout == 3s);
  CHECK(o.target.options.statement_timeout == 5s);
  CHECK(o.thresholds.inactive_slot_warn_bytes == (1ull << 30));
  CHECK(o.thresholds.inactive_slot_crit_bytes == 0);
  CHECK(o.thresholds.warn_within == 24h);
  CHECK(o.thresholds.crit_within == 4h);
  CHECK(o.rates.state_file == "/var/lib/hsops/wal-samples.json");
  CHECK(o.rates.bounds.window == 1h);
  CHECK(o.rates.min_span == 5min);
  CHECK(o.wal_path == "/var/lib/postgresql/15/main/pg_wal");
}

TEST_CASE("replication config: the shipped example parses", "[replication][config]") {
  const FakeClock clock;
  const auto doc = config::Document::parse(uncommented(checks::replication_check_info().example, "replication"), "t.yaml");
  const auto o = checks::read_replication_options(section(doc, "replication"), services(clock));
  REQUIRE(o.standbys.size() == 1);
  CHECK(o.standbys[0].name == "db2");
  REQUIRE(o.standbys[0].target);
  CHECK(o.standbys[0].target->conninfo == "host=db2 port=5432 user=hsops dbname=postgres");
  CHECK(o.thresholds.warn_lag == 1min);
  CHECK(o.thresholds.crit_lag_bytes == (1ull << 30));
}

TEST_CASE("wal/replication config: passwords only from secrets / -w/-c/-t", "[wal][config]") {
  const FakeClock clock;
  const auto inline_pw = config::Document::parse("checks:\n  wal:\n    conninfo: \"host=x password=hunter2\"\n", "t.yaml");
  CHECK_THROWS_WITH(checks::read_wal_options(section(inline_pw, "wal"), services(clock)),
                    Catch::Contains("must not contain a password"));
  const auto none = config::Document::parse("checks:\n  wal:\n    wal_path: /x\n", "t.yaml");
  CHECK_THROWS_WITH(checks::read_wal_options(section(none, "wal"), services(clock)), Catch::Contains("conninfo"));

  ::setenv("HSOPS_TEST_PG_PASSWORD", "s3cr'et", 1);
  const auto env = config::Document::parse(
      "checks:\n  replication:\n    conninfo: \"host=db1\"\n    password_env: HSOPS_TEST_PG_PASSWORD\n"
      "    statement_timeout: 20s\n    standbys:\n      - name: db2\n        conninfo: \"host=db2\"\n",
      "t.yaml");
  const auto o = checks::read_replication_options(section(env, "replication"), services(clock, "30s", "2m", 2000ms));
  CHECK(o.server.password == "s3cr'et");
  CHECK(o.standbys[0].target->password == "s3cr'et");  // inherited
  CHECK(o.server.options.statement_timeout == 2000ms);  // -t caps
  CHECK(o.thresholds.warn_lag == 30s);
  CHECK(o.thresholds.crit_lag == 2min);
  ::unsetenv("HSOPS_TEST_PG_PASSWORD");

  const auto w = config::Document::parse("checks:\n  wal:\n    conninfo: \"host=db1\"\n", "t.yaml");
  const auto wo = checks::read_wal_options(section(w, "wal"), services(clock, "512MiB", "8GiB"));
  CHECK(wo.thresholds.inactive_slot_warn_bytes == (512ull << 20));
  CHECK(wo.thresholds.inactive_slot_crit_bytes == (8ull << 30));
  CHECK_THROWS(checks::read_wal_options(section(w, "wal"), services(clock, "lots")));
}

TEST_CASE("single -w/-c values: sizes and durations, errors at the command line naming the flag", "[config]") {
  CHECK_FALSE(checks::cli_size(std::nullopt, "-w").has_value());
  CHECK(checks::cli_size(std::string("1GiB"), "-w") == (1ull << 30));
  CHECK(checks::cli_duration(std::string("90s"), "-c") == 90000ms);
  try {
    (void)checks::cli_duration(std::string("soon"), "-c");
    FAIL("a bad duration was accepted");
  } catch (const config::ConfigError& e) {
    CHECK(e.key_path() == "-c");
    CHECK(std::string(e.what()).find("command line") != std::string::npos);
    CHECK(std::string(e.what()).find("bad duration 'soon'") != std::string::npos);
    CHECK(std::string(e.what()).find("(e.g. 5m)") != std::string::npos);
  }
  CHECK_THROWS_WITH(checks::cli_size(std::string("12 apples"), "-w"), Catch::Contains("bad size '12 apples'") && Catch::Contains("1GiB"));
}

TEST_CASE("pg: a password from a secret goes into conninfo quoted / or URI-encoded", "[wal][pg]") {
  CHECK(pg::with_password("host=db1 user=hsops", "it's") == "host=db1 user=hsops password='it\\'s'");
  CHECK(pg::with_password("postgresql://hsops@db1/postgres", "a b&c") == "postgresql://hsops@db1/postgres?password=a%20b%26c");
  CHECK(pg::with_password("postgresql://db1/postgres?sslmode=require", "x") ==
        "postgresql://db1/postgres?sslmode=require&password=x");
  CHECK(pg::is_insufficient_privilege(Error{ErrorKind::sql, "PostgreSQL x: permission denied for function pg_ls_waldir (SQLSTATE 42501)"}));
  CHECK_FALSE(pg::is_insufficient_privilege(Error{ErrorKind::connect, "cannot connect"}));
}

TEST_CASE("wal: which conninfo is this host", "[wal][config]") {
  CHECK(checks::wal::is_local("host=/var/run/postgresql port=5432"));
  CHECK(checks::wal::is_local("host=127.0.0.1 port=5432"));
  CHECK(checks::wal::is_local("host='localhost' port=5432"));
  CHECK(checks::wal::is_local("dbname=postgres"));
  CHECK(checks::wal::is_local("postgresql://localhost/postgres"));
  CHECK_FALSE(checks::wal::is_local("host=db1 port=5432"));
  CHECK_FALSE(checks::wal::is_local("postgresql://db1/postgres"));
}
