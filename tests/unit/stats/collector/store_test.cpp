#include <catch2/catch.hpp>

#include <algorithm>

#include "pg/connection.h"
#include "stats/collector/store.h"

using namespace hsops;

TEST_CASE("only data and constraint errors are retried row by row") {
  CHECK(stats::is_row_error(Error{ErrorKind::sql, "PostgreSQL x: new row violates check constraint (SQLSTATE 23514)"}));
  CHECK(stats::is_row_error(Error{ErrorKind::sql, "PostgreSQL x: invalid input syntax for type bigint (SQLSTATE 22P02)"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::sql, "PostgreSQL x: read-only transaction (SQLSTATE 25006)"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::sql, "PostgreSQL x: terminating connection (SQLSTATE 57P01)"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::timeout, "PostgreSQL x: canceling statement (SQLSTATE 57014)"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::connect, "PostgreSQL x: connection lost"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::copy_count, "COPY stored 3 of 4 reports"}));
  CHECK_FALSE(stats::is_row_error(Error{ErrorKind::sql, "no state here"}));
}

TEST_CASE("sqlstate_of reads the code this library appends") {
  CHECK(pg::sqlstate_of("PostgreSQL a@b: boom (SQLSTATE 23505)") == "23505");
  CHECK(pg::sqlstate_of("PostgreSQL a@b: (SQLSTATE 2350") == "");
  CHECK(pg::sqlstate_of("no code") == "");
}

TEST_CASE("a report becomes one COPY text line with NULL for absent fields") {
  auto parsed = stats::parse_report_row(
      R"({"homeserver":"h.example","timestamp":1,"total_users":7,"python_version":"a\\b","cache_factor":0.5})");
  REQUIRE(parsed.ok());
  std::string line;
  stats::append_copy_row(line, stats::StoredReport{"pseud", "1.160.0", std::move(parsed).value()});
  REQUIRE(line.back() == '\n');
  CHECK(line.rfind("pseud\t1.160.0\t", 0) == 0);
  CHECK(line.find("\t7\t") != std::string::npos);
  CHECK(line.find("a\\\\b") != std::string::npos);  // the backslash escaped for COPY
  CHECK(line.find("\\N") != std::string::npos);     // absent fields are NULL
  CHECK(line.find("h.example") == std::string::npos);
  // One column per name in copy_columns().
  const auto columns = std::count(stats::copy_columns().begin(), stats::copy_columns().end(), ',') + 1;
  CHECK(std::count(line.begin(), line.end(), '\t') + 1 == columns);
}
