#include <catch2/catch.hpp>

#include "output/nagios.h"

using namespace hsops;

namespace {
Measurement avail(double value) {
  Measurement m;
  m.label = "/var avail_pct";
  m.value = value;
  m.unit = "%";
  m.warning = Range::parse("5:").value();
  m.critical = Range::parse("3:").value();
  m.min = 0;
  m.max = 100;
  return m;
}
}  // namespace

TEST_CASE("perfdata follows the plugin guidelines", "[output][nagios]") {
  CHECK(output::perfdata({avail(4.25)}) == "'/var avail_pct'=4.25%;5:;3:;0;100");
  Measurement bytes;
  bytes.label = "/ avail";
  bytes.value = 1073741824;
  bytes.unit = "B";
  CHECK(output::perfdata({bytes}) == "'/ avail'=1073741824B");
  Measurement quoted;
  quoted.label = "it's";
  quoted.value = 1;
  CHECK(output::perfdata({quoted}) == "'it''s'=1");
}

TEST_CASE("a check line is NAME STATUS - summary | perfdata", "[output][nagios]") {
  CheckResult r;
  r.check = "disk";
  r.status = Status::warning;
  r.summary = "/var 4.2% avail";
  r.measurements = {avail(4.25)};
  CHECK(output::nagios_line(r) == "DISK WARNING - /var 4.2% avail | '/var avail_pct'=4.25%;5:;3:;0;100");
}

TEST_CASE("a summary cannot break the first line or start perfdata", "[output][nagios]") {
  CheckResult r;
  r.check = "clock";
  r.status = Status::unknown;
  r.summary = "no source\nanswered | really";
  CHECK(output::nagios_line(r) == "CLOCK UNKNOWN - no source answered / really");
}

TEST_CASE("details appear only with -v", "[output][nagios]") {
  CheckResult r;
  r.check = "disk";
  r.status = Status::ok;
  r.summary = "ok";
  r.details = {"/ 50% avail"};
  CHECK(output::nagios_report({r}, 0) == "DISK OK - ok\n");
  CHECK(output::nagios_report({r}, 1) == "DISK OK - ok\n  / 50% avail\n");
}
