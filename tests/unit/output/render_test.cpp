#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "output/render.h"

using namespace hsops;

namespace {
std::vector<CheckResult> results() {
  CheckResult disk;
  disk.check = "disk";
  disk.status = Status::warning;
  disk.summary = "/var 8% avail";
  disk.details = {"/var: 8% avail, full in 3 d"};
  Measurement m;
  m.label = "/var avail_pct";
  m.value = 8;
  m.unit = "%";
  m.warning = Range::parse("10:").value();
  m.metric = "hsops_disk_avail_ratio";
  m.metric_labels = {{"mountpoint", "/var"}};
  m.help = "Share of the filesystem available to non-root users";
  disk.measurements.push_back(m);
  CheckResult clock;
  clock.check = "clock";
  clock.status = Status::ok;
  clock.summary = "offset +1.0 ms";
  return {disk, clock};
}
}  // namespace

TEST_CASE("parse_format knows the three formats and nothing else", "[output][render]") {
  CHECK(output::parse_format("nagios") == output::Format::nagios);
  CHECK(output::parse_format("json") == output::Format::json);
  CHECK(output::parse_format("prom") == output::Format::prom);
  CHECK_FALSE(output::parse_format("xml"));
  CHECK_FALSE(output::parse_format(""));
}

TEST_CASE("render nagios: one line per check, details only with -v", "[output][render]") {
  const auto quiet = output::render(results(), output::Format::nagios, 0, 0);
  CHECK(quiet == "DISK WARNING - /var 8% avail | '/var avail_pct'=8%;10:\nCLOCK OK - offset +1.0 ms\n");
  const auto verbose = output::render(results(), output::Format::nagios, 1, 0);
  CHECK(verbose.find("\n  /var: 8% avail, full in 3 d\nCLOCK OK") != std::string::npos);
}

TEST_CASE("render json: the documented report, stamped with now, newline-terminated", "[output][render]") {
  const auto text = output::render(results(), output::Format::json, 0, 1700000000);
  REQUIRE(text.back() == '\n');
  const auto doc = nlohmann::json::parse(text);
  CHECK(doc["status"] == "WARNING");
  CHECK(doc["exit_code"] == 1);
  CHECK(doc["generated_at"] == 1700000000);
  REQUIRE(doc["checks"].size() == 2);
  CHECK(doc["checks"][0]["check"] == "disk");
}

TEST_CASE("render prom: status and measurement samples with the timestamp", "[output][render]") {
  const auto text = output::render(results(), output::Format::prom, 0, 1700000000);
  CHECK(text.find("hsops_check_status{check=\"disk\"} 1\n") != std::string::npos);
  CHECK(text.find("hsops_check_status{check=\"clock\"} 0\n") != std::string::npos);
  CHECK(text.find("hsops_check_last_run_timestamp_seconds{check=\"disk\"} 1700000000\n") != std::string::npos);
  CHECK(text.find("hsops_disk_avail_ratio{mountpoint=\"/var\"} 0.08\n") != std::string::npos);
}
