#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "checks/wal/verdict.h"

using namespace hsops::checks::wal;
using hsops::Status;

namespace {
constexpr double kMiB = 1024.0 * 1024;
constexpr double kGiB = kMiB * 1024;

Slot slot(std::string name, bool active, std::optional<double> retained, std::string wal_status = "reserved") {
  Slot s;
  s.name = std::move(name);
  s.type = "physical";
  s.active = active;
  s.retained_wal_bytes = retained;
  s.wal_status = std::move(wal_status);
  return s;
}
}  // namespace

TEST_CASE("wal: an inactive slot is judged by what it retains / lost/unreserved always CRITICAL", "[wal][status]") {
  Thresholds t;  // 1 GiB warning, no byte critical
  CHECK(judge_slot(slot("a", true, 50 * kGiB), t).status == Status::ok);  // active: replication's business
  CHECK(judge_slot(slot("a", false, kGiB), t).status == Status::ok);      // not more than the threshold
  CHECK(judge_slot(slot("a", false, kGiB + 1), t).status == Status::warning);
  CHECK(judge_slot(slot("a", false, std::nullopt, ""), t).status == Status::ok);  // never used
  CHECK(judge_slot(slot("a", true, 1, "unreserved"), t).status == Status::critical);
  CHECK(judge_slot(slot("a", false, std::nullopt, "lost"), t).status == Status::critical);
  t.inactive_slot_crit_bytes = 10ull << 30;
  CHECK(judge_slot(slot("a", false, 10 * kGiB), t).status == Status::warning);
  const auto v = judge_slot(slot("standby_b", false, 10 * kGiB + 1), t);
  CHECK(v.status == Status::critical);
  CHECK(v.reason == "slot 'standby_b' is inactive and retains 10.0 GiB of WAL");
}

TEST_CASE("wal: time until the WAL filesystem is full", "[wal][status]") {
  CHECK(seconds_until_full(3600 * kMiB, kMiB) == Approx(3600));
  CHECK(std::isinf(seconds_until_full(kGiB, 0)));
  CHECK(std::isinf(seconds_until_full(kGiB, -5)));  // pg_wal shrinking
  CHECK(seconds_until_full(0, kMiB) == 0);
  const Thresholds t;  // 24 h / 4 h
  CHECK(judge_wal_fs(std::nullopt, t).status == Status::ok);
  CHECK(judge_wal_fs(std::numeric_limits<double>::infinity(), t).status == Status::ok);
  CHECK(judge_wal_fs(24 * 3600 + 1, t).status == Status::ok);
  CHECK(judge_wal_fs(24 * 3600, t).status == Status::warning);
  CHECK(judge_wal_fs(4 * 3600 + 1, t).status == Status::warning);
  const auto v = judge_wal_fs(3 * 3600 + 600, t);
  CHECK(v.status == Status::critical);
  CHECK(v.reason == "WAL filesystem full in 3 h 10 min");
}

TEST_CASE("wal: the archiver is failing when its latest attempt failed", "[wal][status]") {
  Archiver a;
  a.enabled = true;
  CHECK_FALSE(a.failing());
  a.failed_count = 3;
  a.last_failed_wal = "000000010000000000000007";
  a.last_failed_time = 200;
  CHECK(a.failing());  // failures and nothing ever archived
  a.last_archived_time = 300;
  CHECK_FALSE(a.failing());  // it recovered
  a.last_archived_time = 100;
  CHECK(judge_archiver(a).status == Status::critical);
  CHECK(judge_archiver(a).reason == "WAL archiving fails (3 failures, last 000000010000000000000007)");
  a.enabled = false;  // archive_mode off: old counters mean nothing
  CHECK(judge_archiver(a).status == Status::ok);
}

TEST_CASE("wal: advice names the slot to drop / biggest first / and the cap", "[wal][advice]") {
  const Thresholds t;
  std::vector<Slot> slots{slot("small", false, 2 * kGiB), slot("big", false, 40 * kGiB), slot("ok", true, kMiB)};
  Archiver a;
  const auto lines = advice_for({slots, a, -1, 200 * kGiB, t});
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains("slot 'big' keeps 40.0 GiB"));
  CHECK_THAT(lines[0], Catch::Contains("SELECT pg_drop_replication_slot('big');"));
  CHECK_THAT(lines[1], Catch::Contains("'small'"));
  CHECK_THAT(lines[2], Catch::Contains("max_slot_wal_keep_size = '50GB'"));
  CHECK_THAT(advice_for({slots, a, -1, 200 * kMiB, t}).back(), Catch::Contains("max_slot_wal_keep_size = '50MB'"));
  // A cap already set: no advice to set one; nothing wrong: no advice at all.
  CHECK(advice_for({slots, a, 10240, 200 * kGiB, t}).size() == 2);
  std::vector<Slot> fine{slot("ok", true, kMiB)};
  CHECK(advice_for({fine, a, -1, std::nullopt, t}).empty());
  std::vector<Slot> lost{slot("gone", false, std::nullopt, "lost")};
  const auto relost = advice_for({lost, a, -1, std::nullopt, t});
  REQUIRE(relost.size() == 2);
  CHECK_THAT(relost[0], Catch::Contains("re-clone its standby"));
}
