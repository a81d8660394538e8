// The watchdog's /metrics view: the last result per check, as prometheus-cpp families.
#include <catch2/catch.hpp>

#include <prometheus/text_serializer.h>

#include "metrics/latest_results.h"

using hsops::CheckResult;
using hsops::Measurement;
using hsops::Status;
using hsops::metrics::LatestResults;

namespace {

CheckResult wal_result(Status status, std::vector<std::string> slots) {
  CheckResult r;
  r.check = "wal";
  r.status = status;
  r.summary = "x";
  r.duration_seconds = 0.25;
  for (const auto& slot : slots) {
    Measurement m;
    m.label = "slot " + slot + " retained";
    m.value = 1024;
    m.unit = "B";
    m.metric = "hsops_wal_slot_retained_bytes";
    m.metric_labels = {{"slot", slot}};
    m.help = "WAL bytes the slot holds back";
    r.measurements.push_back(m);
  }
  Measurement pct;
  pct.label = "wal_fs avail_pct";
  pct.value = 25;
  pct.unit = "%";
  pct.metric = "hsops_wal_filesystem_avail_ratio";
  r.measurements.push_back(pct);
  return r;
}

std::string text(const LatestResults& latest) { return prometheus::TextSerializer().Serialize(latest.Collect()); }

}  // namespace

TEST_CASE("latest results: each check's last result as gauges, percent as a ratio") {
  LatestResults latest;
  CHECK(latest.Collect().empty());  // nothing has run: no series, not zeros
  latest.update(wal_result(Status::critical, {"standby1", "standby2"}), 1700000000);
  CheckResult disk;
  disk.check = "disk";
  disk.status = Status::ok;
  latest.update(disk, 1700000005);
  const std::string t = text(latest);
  CHECK(t.find("hsops_check_status{check=\"wal\"} 2") != std::string::npos);
  CHECK(t.find("hsops_check_status{check=\"disk\"} 0") != std::string::npos);
  CHECK(t.find("hsops_check_success{check=\"wal\"} 1") != std::string::npos);
  CHECK(t.find("hsops_check_duration_seconds{check=\"wal\"} 0.25") != std::string::npos);
  CHECK(t.find("hsops_check_last_run_timestamp_seconds{check=\"disk\"} 1700000005") != std::string::npos);
  CHECK(t.find("hsops_wal_slot_retained_bytes{slot=\"standby2\"} 1024") != std::string::npos);
  CHECK(t.find("hsops_wal_filesystem_avail_ratio 0.25") != std::string::npos);
  CHECK(t.find("# HELP hsops_wal_slot_retained_bytes WAL bytes the slot holds back") != std::string::npos);
  CHECK(t.find("# TYPE hsops_check_status gauge") != std::string::npos);
}

TEST_CASE("latest results: a new result replaces the old one and a dropped series disappears") {
  LatestResults latest;
  latest.update(wal_result(Status::critical, {"standby1", "standby2"}), 1700000000);
  latest.update(wal_result(Status::ok, {"standby1"}), 1700000060);
  const std::string t = text(latest);
  CHECK(t.find("hsops_check_status{check=\"wal\"} 0") != std::string::npos);
  CHECK(t.find("standby2") == std::string::npos);
  CHECK(t.find("hsops_check_last_run_timestamp_seconds{check=\"wal\"} 1700000060") != std::string::npos);
  REQUIRE(latest.results().size() == 1);
  CHECK(latest.results()[0].status == Status::ok);
}

TEST_CASE("latest results: a name and label set is exposed once even when two checks report it") {
  LatestResults latest;
  CheckResult a = wal_result(Status::ok, {"s"});
  CheckResult b = wal_result(Status::ok, {"s"});
  b.check = "wal2";
  latest.update(a, 1);
  latest.update(b, 2);
  const std::string t = text(latest);
  const auto first = t.find("hsops_wal_slot_retained_bytes{slot=\"s\"}");
  REQUIRE(first != std::string::npos);
  CHECK(t.find("hsops_wal_slot_retained_bytes{slot=\"s\"}", first + 1) == std::string::npos);
}
