#include <catch2/catch.hpp>

#include "checks/probe/report.h"

using namespace hsops;
using namespace hsops::checks::probe;

TEST_CASE("probe report: success with phases / thresholds per phase", "[probe][report]") {
  Options o;
  o.warning.insert_or_assign("total", Range::parse("5").value());
  o.critical.insert_or_assign("sync_echo", Range::parse("1").value());
  RunRecord run;
  run.seconds = {{"discovery", 0.01}, {"login", 0.1}, {"send", 0.05}, {"sync_echo", 0.2}, {"total", 0.4}};
  run.last_success = 1700000000;
  auto r = build_probe_result(run, o);
  CHECK(r.status == Status::ok);
  CHECK(r.summary.find("round trip") != std::string::npos);
  CHECK(r.summary.find("sync_echo") != std::string::npos);
  int phases = 0;
  for (const auto& m : r.measurements) {
    if (m.metric == "hsops_probe_phase_duration_seconds") ++phases;
    if (m.metric == "hsops_probe_success") CHECK(m.value == 1);
    if (m.metric == "hsops_probe_last_success_timestamp_seconds") CHECK(m.value == 1700000000);
  }
  CHECK(phases == 5);

  run.seconds["sync_echo"] = 1.5;
  auto slow = build_probe_result(run, o);
  CHECK(slow.status == Status::critical);
  CHECK(slow.summary.find("sync_echo") != std::string::npos);
}

TEST_CASE("probe report: a failure is CRITICAL naming the phase / errcode and advice", "[probe][report]") {
  RunRecord run;
  run.seconds = {{"discovery", 0.01}};
  run.failed_phase = "login";
  run.error = Error{ErrorKind::matrix, "POST /_matrix/client/v3/login: HTTP 403 M_FORBIDDEN: Invalid username or password", "M_FORBIDDEN"};
  auto r = build_probe_result(run, Options{});
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "login failed: POST /_matrix/client/v3/login: HTTP 403 M_FORBIDDEN: Invalid username or password");
  REQUIRE(r.details.size() >= 2);
  CHECK(r.details[0].find("M_FORBIDDEN") != std::string::npos);
  CHECK(r.details[1].find("advice: ") == 0);
  for (const auto& m : r.measurements) {
    if (m.metric == "hsops_probe_success") CHECK(m.value == 0);
  }
}
