#include <catch2/catch.hpp>

#include "config/config.h"
#include "stats/collector/config.h"

using namespace hsops::stats;

namespace {

CollectorConfig parse(const std::string& database) {
  const std::string yaml = "database:\n" + database + "pseudonym_secret_env: HSOPS_TEST_COLLECTOR_SECRET\n";
  return read_collector_config(hsops::config::Document::parse(yaml, "c.yaml").root());
}

}  // namespace

TEST_CASE("the collector's database section refuses an inline password and non-positive timeouts (issue 15)") {
  ::setenv("HSOPS_TEST_COLLECTOR_SECRET", "0123456789abcdef0123456789abcdef", 1);
  CHECK_THROWS_WITH(parse("  conninfo: \"dbname=stats password=hunter2\"\n"),
                    Catch::StartsWith("c.yaml:2:13: database.conninfo: must not contain a password"));
  CHECK_THROWS_WITH(parse("  conninfo: \"dbname=stats\"\n  connect_timeout: 0s\n"),
                    Catch::Equals("c.yaml:3:20: database.connect_timeout: must be a positive duration"));
  CHECK_THROWS_WITH(parse("  conninfo: \"dbname=stats\"\n  statement_timeout: 0ms\n"),
                    Catch::Contains("database.statement_timeout: must be a positive duration"));
  CHECK_THROWS_WITH(parse("  user: x\n"), Catch::Contains("database.conninfo is required"));
  const auto c = parse("  conninfo: \"dbname=stats\"\n  statement_timeout: 3s\n");
  CHECK(c.database_conninfo == "dbname=stats");
  CHECK(c.database_connect_timeout == hsops::Millis(5000));
  CHECK(c.database_statement_timeout == hsops::Millis(3000));
}
