#include <catch2/catch.hpp>

#include "core/units.h"

using namespace hsops;
using std::chrono::milliseconds;

TEST_CASE("durations parse in every unit and chained", "[core][units]") {
  CHECK(parse_duration("250ms").value() == milliseconds(250));
  CHECK(parse_duration("90s").value() == milliseconds(90'000));
  CHECK(parse_duration("5m").value() == milliseconds(300'000));
  CHECK(parse_duration("1h30m").value() == milliseconds(5'400'000));
  CHECK(parse_duration("2d").value() == milliseconds(172'800'000));
  CHECK(parse_duration("1.5s").value() == milliseconds(1'500));
  CHECK(parse_duration("10").value() == milliseconds(10'000));
}

TEST_CASE("bad durations are errors", "[core][units]") {
  for (const char* bad : {"", "s", "10x", "5 m 3", "-5s", "1h30"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).ok());
  }
}

TEST_CASE("sizes parse binary and decimal units", "[core][units]") {
  CHECK(parse_size("4096").value() == 4096u);
  CHECK(parse_size("8GiB").value() == 8ull * 1024 * 1024 * 1024);
  CHECK(parse_size("500MB").value() == 500'000'000ull);
  CHECK(parse_size("1.5KiB").value() == 1536u);
  CHECK(parse_size("2 TiB").value() == 2ull * 1024 * 1024 * 1024 * 1024);
  CHECK_FALSE(parse_size("8 gallons").ok());
  CHECK_FALSE(parse_size("GiB").ok());
}

TEST_CASE("human formats", "[core][units]") {
  CHECK(format_duration(0.25) == "250 ms");
  CHECK(format_duration(4.2) == "4.2 s");
  CHECK(format_duration(3 * 3600 + 600) == "3 h 10 min");
  CHECK(format_duration(2 * 86400 + 4 * 3600) == "2 d 4 h");
  CHECK(format_bytes(512) == "512 B");
  CHECK(format_bytes(1536) == "1.5 KiB");
  CHECK(format_bytes(12.3 * 1024 * 1024 * 1024) == "12.3 GiB");
  CHECK(format_utc(1'700'000'000) == "2023-11-14 22:13:20 UTC");
}
