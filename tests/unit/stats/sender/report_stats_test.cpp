#include <catch2/catch.hpp>

#include "config/config.h"
#include "stats/pseudonym.h"
#include "stats/sender/report_stats.h"

using namespace hsops::stats;

namespace {
ReportStatsConfig parse(const std::string& yaml) {
  return read_report_stats_config(hsops::config::Document::parse(yaml, "t.yaml").root());
}
const char* kBase = "report_stats:\n  server_name: example.org\n  database:\n    conninfo: \"dbname=synapse\"\n";
}  // namespace

TEST_CASE("report_stats config: defaults and errors with location") {
  const auto c = parse(kBase);
  CHECK(c.endpoint == "https://matrix.org/report-usage-stats/push");
  CHECK_FALSE(c.anonymise);
  CHECK_THROWS_WITH(parse(std::string(kBase) + "  drop_fields: [nope]\n"), Catch::Contains("t.yaml:5") && Catch::Contains("nope"));
  CHECK_THROWS_WITH(parse(std::string(kBase) + "  drop_fields: [homeserver]\n"), Catch::Contains("anonymise"));
  CHECK_THROWS_WITH(parse("report_stats:\n  server_name: a\n"), Catch::Contains("conninfo"));
  CHECK_THROWS_WITH(parse(std::string(kBase) + "  endpoint: ftp://x\n"), Catch::Contains("endpoint"));
}

TEST_CASE("the push body drops fields and anonymises the name") {
  Report r;
  r.fields = {{"homeserver", "example.org"}, {"total_users", 3}, {"log_level", "INFO"}};
  auto c = parse(std::string(kBase) + "  anonymise: true\n  drop_fields: [log_level]\n");
  const auto body = push_body(r, c, "0123456789abcdef0123456789abcdef");
  CHECK(body["homeserver"] == pseudonym("0123456789abcdef0123456789abcdef", "example.org"));
  CHECK_FALSE(body.contains("log_level"));
  CHECK(body["total_users"] == 3);
  c.anonymise = false;
  CHECK(push_body(r, c, "")["homeserver"] == "example.org");
}

TEST_CASE("the figures become perfdata and one labelled metric") {
  Report r;
  r.fields = {{"homeserver", "example.org"}, {"timestamp", 5}, {"total_users", 3}, {"daily_active_users", 1}};
  const auto result = report_result(r);
  CHECK(result.status == hsops::Status::ok);
  REQUIRE(result.measurements.size() == 2);
  CHECK(result.measurements[0].metric == "hsops_report_stats_figure");
  CHECK(result.measurements[0].metric_labels.at("figure") == "total_users");
}

TEST_CASE("report_stats' database section refuses an inline password and non-positive timeouts (issue 15)") {
  const std::string head = "report_stats:\n  server_name: example.org\n  database:\n";
  CHECK_THROWS_WITH(parse(head + "    conninfo: \"dbname=synapse password=hunter2\"\n"),
                    Catch::StartsWith("t.yaml:4:15: report_stats.database.conninfo: must not contain a password"));
  CHECK_THROWS_WITH(parse(head + "    conninfo: \"dbname=synapse\"\n    statement_timeout: 0s\n"),
                    Catch::Equals("t.yaml:5:24: report_stats.database.statement_timeout: must be a positive duration"));
  CHECK_THROWS_WITH(parse(head + "    conninfo: \"dbname=synapse\"\n    connect_timeout: 0m\n"),
                    Catch::Contains("report_stats.database.connect_timeout: must be a positive duration"));
  const auto c = parse(head + "    conninfo: \"dbname=synapse\"\n    connect_timeout: 2s\n");
  CHECK(c.connect_timeout == hsops::Millis(2000));
  CHECK(c.statement_timeout == hsops::Millis(30000));
}
