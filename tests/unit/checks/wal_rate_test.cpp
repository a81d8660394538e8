#include <catch2/catch.hpp>
#include <filesystem>

#include "checks/wal/rate.h"

using namespace hsops::checks;
using namespace hsops::checks::wal;

namespace {
RateOptions fast() {
  RateOptions o;
  o.bounds.window = std::chrono::seconds{600};
  o.bounds.max_samples = 600;  // one sample per second at most
  o.min_samples = 3;
  o.min_span = std::chrono::seconds{10};
  return o;
}
}  // namespace

TEST_CASE("wal rates: generation and pg_wal growth from samples", "[wal][rate]") {
  disk::SampleMap samples;
  const auto o = fast();
  // 1 MiB/s written, pg_wal keeps half of it (an inactive slot holding it all would keep all).
  auto r = update_rates(samples, 1000, 0, 100e6, o);
  CHECK_FALSE(r.generation_bytes_per_second);
  CHECK(r.no_rate_reason == "collecting samples (1 of 3, spanning 0 ms of 10.0 s)");
  r = update_rates(samples, 1010, 10 * 1048576.0, 100e6 + 5 * 1048576.0, o);
  CHECK_FALSE(r.generation_bytes_per_second);
  r = update_rates(samples, 1020, 20 * 1048576.0, 100e6 + 10 * 1048576.0, o);
  REQUIRE(r.generation_bytes_per_second);
  CHECK(*r.generation_bytes_per_second == Approx(1048576.0));
  CHECK(*r.growth_bytes_per_second == Approx(524288.0));
  CHECK(r.samples == 3);
  CHECK(r.span_seconds == Approx(20));
}

TEST_CASE("wal rates: a WAL position going back restarts the series", "[wal][rate]") {
  disk::SampleMap samples;
  const auto o = fast();
  (void)update_rates(samples, 1000, 5e9, 1e8, o);
  (void)update_rates(samples, 1010, 6e9, 1e8, o);
  const auto r = update_rates(samples, 1020, 1e6, 1e8, o);  // re-initialised server
  CHECK_FALSE(r.generation_bytes_per_second);
  CHECK(r.samples == 1);
}

TEST_CASE("wal rates: the state file keeps samples between runs", "[wal][rate]") {
  const auto dir = std::filesystem::temp_directory_path() / "hsops-wal-rate-test";
  std::filesystem::remove_all(dir);
  auto o = fast();
  o.state_file = dir / "wal-samples.json";
  std::vector<std::string> notes;
  (void)record_and_fit(o, 1000, 0, 0, notes);
  (void)record_and_fit(o, 1030, 30e6, 30e6, notes);
  const auto r = record_and_fit(o, 1060, 60e6, 60e6, notes);
  CHECK(notes.empty());
  REQUIRE(r.growth_bytes_per_second);
  CHECK(*r.growth_bytes_per_second == Approx(1e6));
  o.state_file.clear();
  CHECK(record_and_fit(o, 1090, 90e6, 90e6, notes).no_rate_reason == "rates disabled (no state file)");
  std::filesystem::remove_all(dir);
}
