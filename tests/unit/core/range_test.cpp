#include <catch2/catch.hpp>

#include "core/range.h"

using hsops::Range;

namespace {
Range r(const char* text) {
  auto parsed = Range::parse(text);
  REQUIRE(parsed.ok());
  return parsed.value();
}
}  // namespace

TEST_CASE("a bare number alerts outside 0..N", "[core][range]") {
  CHECK(r("10").alerts(-1));
  CHECK_FALSE(r("10").alerts(0));
  CHECK_FALSE(r("10").alerts(10));
  CHECK(r("10").alerts(10.5));
}

TEST_CASE("N: alerts below N", "[core][range]") {
  CHECK(r("10:").alerts(9.99));
  CHECK_FALSE(r("10:").alerts(10));
  CHECK_FALSE(r("10:").alerts(1e12));
}

TEST_CASE("range ~:N alerts above N / never below", "[core][range]") {
  CHECK_FALSE(r("~:10").alerts(-1e9));
  CHECK_FALSE(r("~:10").alerts(10));
  CHECK(r("~:10").alerts(11));
}

TEST_CASE("a:b alerts outside / @a:b inside / both inclusive", "[core][range]") {
  CHECK(r("10:20").alerts(9));
  CHECK_FALSE(r("10:20").alerts(10));
  CHECK_FALSE(r("10:20").alerts(20));
  CHECK(r("10:20").alerts(21));
  CHECK(r("@10:20").alerts(10));
  CHECK(r("@10:20").alerts(15));
  CHECK(r("@10:20").alerts(20));
  CHECK_FALSE(r("@10:20").alerts(9));
}

TEST_CASE("negative and fractional bounds parse", "[core][range]") {
  CHECK(r("-0.05:0.05").alerts(0.06));
  CHECK(r("-0.05:0.05").alerts(-0.06));
  CHECK_FALSE(r("-0.05:0.05").alerts(0.0));
}

TEST_CASE("malformed ranges are errors naming the text", "[core][range]") {
  for (const char* bad : {"", "@", "abc", "20:10", "1:2:3", "10:x", "nan"}) {
    auto parsed = Range::parse(bad);
    INFO(bad);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message.find("invalid threshold range") != std::string::npos);
  }
}
