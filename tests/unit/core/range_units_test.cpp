#include <catch2/catch.hpp>

#include <limits>

#include "core/range_units.h"

using namespace hsops;

TEST_CASE("parse_range: plain numbers keep working in every figure", "[core][range]") {
  for (const auto figure : {Figure::number, Figure::bytes, Figure::seconds}) {
    for (const char* text : {"10", "10:", "~:10", "10:20", "@10:20", "0.05", "-0.05:0.05"}) {
      INFO(text);
      const auto r = parse_range(text, figure);
      REQUIRE(r.ok());
      CHECK(r->text() == text);  // unchanged: perfdata shows what was typed
    }
  }
}

TEST_CASE("parse_range: boundary table with units", "[core][range]") {
  struct Row {
    const char* text;
    Figure figure;
    double start, end;
    bool inside;
    const char* normal;
  };
  const double inf = std::numeric_limits<double>::infinity();
  const Row rows[] = {
      {"10MiB:", Figure::bytes, 10485760, inf, false, "10485760:"},
      {"50MiB", Figure::bytes, 0, 52428800, false, "52428800"},
      {"~:5GiB", Figure::bytes, -inf, 5368709120, false, "~:5368709120"},
      {"1GB:2GB", Figure::bytes, 1e9, 2e9, false, "1000000000:2000000000"},
      {"@1s:2s", Figure::seconds, 1, 2, true, "@1:2"},
      {"2s", Figure::seconds, 0, 2, false, "2"},
      {"250ms", Figure::seconds, 0, 0.25, false, "0.25"},
      {"1h:", Figure::seconds, 3600, inf, false, "3600:"},
      {"-50ms:50ms", Figure::seconds, -0.05, 0.05, false, "-0.05:0.05"},
      {"1:5m", Figure::seconds, 1, 300, false, "1:300"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto r = parse_range(row.text, row.figure);
    REQUIRE(r.ok());
    CHECK(r->start() == row.start);
    CHECK(r->end() == row.end);
    CHECK(r->inside() == row.inside);
    CHECK(r->text() == row.normal);
  }
  // The edges themselves do not alert: "10MiB:" alerts below 10 MiB only.
  const auto floor = parse_range("10MiB:", Figure::bytes).value();
  CHECK_FALSE(floor.alerts(10485760));
  CHECK(floor.alerts(10485759));
  const auto ceiling = parse_range("2s", Figure::seconds).value();
  CHECK_FALSE(ceiling.alerts(2.0));
  CHECK(ceiling.alerts(2.001));
}

TEST_CASE("parse_range: bad units are named in the error", "[core][range]") {
  struct Row {
    const char* text;
    Figure figure;
    const char* names;
  };
  const Row rows[] = {
      {"50MiB", Figure::seconds, "invalid duration '50MiB'"},
      {"2s", Figure::bytes, "invalid size '2s'"},
      {"10Mo:", Figure::bytes, "invalid size '10Mo'"},
      {"@1s:2x", Figure::seconds, "invalid duration '2x'"},
      {"10%", Figure::number, "not a number"},
      {"5GiB", Figure::number, "not a number"},
      {"2s:1s", Figure::seconds, "start is greater than end"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto r = parse_range(row.text, row.figure);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(row.names) != std::string::npos);
    CHECK(r.error().message.find(std::string("'") + row.text + "'") != std::string::npos);
  }
}
