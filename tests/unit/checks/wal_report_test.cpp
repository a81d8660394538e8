#include <catch2/catch.hpp>

#include "checks/wal/report.h"

using namespace hsops::checks::wal;
using hsops::Status;

TEST_CASE("wal report: the worst reason leads / the slot behind it follows", "[wal][report]") {
  Report r;
  Slot s;
  s.name = "db2";
  s.type = "physical";
  s.retained_wal_bytes = 2.0 * 1073741824;
  s.wal_status = "extended";
  r.server.slots.push_back(s);
  r.server.wal_dir_bytes = 3.0 * 1073741824;
  r.server.wal_files = 192;
  r.fs.path = "/var/lib/postgresql/15/main/pg_wal";
  r.fs.stats = hsops::checks::disk::FsStats{};
  r.fs.stats->size_bytes = 100ull << 30;
  r.fs.stats->avail_bytes = 10ull << 30;
  r.rates.growth_bytes_per_second = 1048576;
  r.seconds_until_full = 3 * 3600 + 600;
  const auto out = build_result(r);
  CHECK(out.status == Status::critical);
  CHECK(out.summary ==
        "WAL filesystem full in 3 h 10 min; slot 'db2' is inactive and retains 2.0 GiB of WAL "
        "(pg_wal 3.0 GiB in 192 files, 0 of 1 slots active)");
  bool has_full_in = false;
  for (const auto& m : out.measurements) has_full_in = has_full_in || m.metric == "hsops_pg_wal_fs_predicted_full_seconds";
  CHECK(has_full_in);
}

TEST_CASE("wal report: healthy is OK with the overview", "[wal][report]") {
  Report r;
  Slot s;
  s.name = "db2";
  s.active = true;
  s.retained_wal_bytes = 1024;
  r.server.slots.push_back(s);
  r.server.wal_dir_bytes = 64.0 * 1048576;
  r.server.wal_files = 4;
  r.fs.error = "remote server: set checks.wal.wal_path, or run hsops on the database host";
  const auto out = build_result(r);
  CHECK(out.status == Status::ok);
  CHECK(out.summary == "pg_wal 64.0 MiB in 4 files, 1 of 1 slots active");
}

TEST_CASE("wal report: with a cap / an inactive slot's detail says when it will be lost", "[wal][report]") {
  Report r;
  Slot s;
  s.name = "db2";
  s.type = "physical";
  s.retained_wal_bytes = 1048576;
  s.wal_status = "reserved";
  s.safe_wal_size = 3600.0 * 1048576;
  r.server.slots.push_back(s);
  r.rates.generation_bytes_per_second = 1048576;
  const auto out = build_result(r);
  REQUIRE_FALSE(out.details.empty());
  CHECK_THAT(out.details[0], Catch::Contains("safe_wal_size 3.5 GiB (lost in about 1 h 0 min at the current WAL rate)"));
}
