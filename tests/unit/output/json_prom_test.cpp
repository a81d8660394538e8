#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "output/json.h"
#include "output/prometheus.h"
#include "output/textfile.h"

using namespace hsops;

namespace {
CheckResult sample() {
  CheckResult r;
  r.check = "disk";
  r.status = Status::critical;
  r.summary = "/var 2% avail";
  r.duration_seconds = 0.5;
  Measurement m;
  m.label = "/var avail_pct";
  m.value = 2;
  m.unit = "%";
  m.critical = Range::parse("3:").value();
  m.metric = "hsops_disk_avail_ratio";
  m.metric_labels = {{"mountpoint", "/var"}};
  m.help = "Share of the filesystem available to non-root users";
  r.measurements.push_back(m);
  Measurement nan;
  nan.label = "/var full_in";
  nan.value = std::nan("");
  nan.unit = "s";
  r.measurements.push_back(nan);
  return r;
}
}  // namespace

TEST_CASE("json report has the documented top-level fields and worst status", "[output][json]") {
  CheckResult ok;
  ok.check = "clock";
  ok.status = Status::ok;
  const auto j = output::json_report({ok, sample()}, 1700000000);
  CHECK(j["schema_version"] == 1);
  CHECK(j["status"] == "CRITICAL");
  CHECK(j["exit_code"] == 2);
  CHECK(j["generated_at"] == 1700000000);
  REQUIRE(j["checks"].size() == 2);
  const auto& disk = j["checks"][1];
  CHECK(disk["check"] == "disk");
  CHECK(disk["measurements"][0]["critical"] == "3:");
  CHECK(disk["measurements"][0]["warning"].is_null());
  CHECK(disk["measurements"][0]["labels"]["mountpoint"] == "/var");
  CHECK(disk["measurements"][1]["value"].is_null());  // NaN is not JSON
}

TEST_CASE("an empty json report is UNKNOWN / never OK", "[output][json]") {
  CHECK(output::json_report({}, 0)["status"] == "UNKNOWN");
}

TEST_CASE("prometheus text: check series / ratio conversion / escaping", "[output][prom]") {
  auto r = sample();
  r.measurements[0].metric_labels = {{"mountpoint", "/a\"b"}};
  const std::string text = output::prometheus_text({r}, 1700000000);
  CHECK(text.find("# TYPE hsops_check_status gauge\nhsops_check_status{check=\"disk\"} 2\n") != std::string::npos);
  CHECK(text.find("hsops_check_success{check=\"disk\"} 1\n") != std::string::npos);
  CHECK(text.find("hsops_disk_avail_ratio{mountpoint=\"/a\\\"b\"} 0.02\n") != std::string::npos);
  CHECK(text.find("full_in") == std::string::npos);  // no metric name -> perfdata only
  CHECK(text.back() == '\n');
}

TEST_CASE("textfile is replaced atomically and readable by node_exporter", "[output][textfile]") {
  const auto dir = std::filesystem::temp_directory_path() / "hsops-textfile-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "hsops.prom";
  REQUIRE(output::write_file_atomically(path, "a 1\n").ok());
  REQUIRE(output::write_file_atomically(path, "a 2\n").ok());
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  CHECK(line == "a 2");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator{}) == 1);
  auto bad = output::write_file_atomically(dir / "missing-dir" / "x.prom", "a 1\n");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("missing-dir") != std::string::npos);
  std::filesystem::remove_all(dir);
}
