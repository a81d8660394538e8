#include <catch2/catch.hpp>

#include "config/config.h"
#include "pg/target.h"

using namespace hsops;

namespace {

std::string error_of(const std::string& yaml) {
  try {
    (void)pg::read_target(config::Document::parse(yaml, "t.yaml").root().child("db"), pg::Options{}, "is required");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the PostgreSQL section reader: conninfo, defaults and the password kept apart") {
  const auto doc = config::Document::parse("db:\n  conninfo: \"host=db1 user=hsops\"\n  statement_timeout: 2s\n", "t.yaml");
  const auto t = pg::read_target(doc.root().child("db"), pg::Options{Millis(4000), Millis(9000)}, "is required");
  CHECK(t.conninfo == "host=db1 user=hsops");
  CHECK_FALSE(t.password);
  CHECK(t.options.connect_timeout == Millis(4000));
  CHECK(t.options.statement_timeout == Millis(2000));
  CHECK(pg::full_conninfo(t) == "host=db1 user=hsops");
}

TEST_CASE("the PostgreSQL section reader refuses an inline password, zero timeouts and no conninfo") {
  CHECK(error_of("db:\n  conninfo: \"host=db1 password=hunter2\"\n") ==
        "t.yaml:2:13: db.conninfo: must not contain a password: use password_file, password_env or a libpq passfile=");
  CHECK(error_of("db:\n  conninfo: \"host=db1\"\n  connect_timeout: 0s\n") ==
        "t.yaml:3:20: db.connect_timeout: must be a positive duration");
  CHECK(error_of("db:\n  conninfo: \"host=db1\"\n  statement_timeout: 0ms\n").find("must be a positive duration") !=
        std::string::npos);
  CHECK(error_of("db:\n  user: x\n").find("db.conninfo: is required") != std::string::npos);
}
