#include <catch2/catch.hpp>

#include "checks/clock/http.h"
#include "checks/clock/kernel.h"
#include "checks/clock/sources.h"

#include <sys/timex.h>

using namespace hsops;
using namespace hsops::checks;
using namespace std::chrono;

namespace {
const std::filesystem::path kFixtures = std::filesystem::path(HSOPS_FIXTURES_DIR) / "clock";

WallTime at(double unix) {
  return WallTime{duration_cast<WallTime::duration>(duration<double>(unix))};
}
}  // namespace

TEST_CASE("chrony config: server/pool/peer with port / sourcedir and confdir", "[checks][clock]") {
  const auto servers = servers_in_chrony_config(kFixtures / "chrony" / "chrony.conf");
  // confdir first (it comes first in the file), then the file's own lines, then sources.d;
  // duplicates once; README in sources.d is not a *.sources file; the missing dir is skipped.
  const std::vector<std::string> expected{"192.0.2.10",         "2.debian.pool.ntp.org", "ntp1.example.net:1123",
                                          "[2001:db8::123]:4123", "peer.example.net",    "time.cloudflare.com"};
  CHECK(servers == expected);
}

TEST_CASE("ntp config: refclocks and -4 flags skipped", "[checks][clock]") {
  const auto servers = servers_in_ntp_config(kFixtures / "ntp" / "ntp.conf");
  const std::vector<std::string> expected{"0.debian.pool.ntp.org", "ntp.example.org", "198.51.100.7"};
  CHECK(servers == expected);
}

TEST_CASE("default servers: chrony / else ntp / else pool.ntp.org", "[checks][clock]") {
  TimeDaemonConfigs configs;
  configs.chrony = {kFixtures / "missing.conf", kFixtures / "chrony" / "empty.conf"};
  configs.ntp = {kFixtures / "ntp" / "ntp.conf"};
  auto d = default_servers(configs);
  CHECK(d.servers.front() == "0.debian.pool.ntp.org");
  CHECK(d.origin == (kFixtures / "ntp" / "ntp.conf").string());

  configs.chrony.push_back(kFixtures / "chrony" / "chrony.conf");
  CHECK(default_servers(configs).servers.size() == 6);

  configs = TimeDaemonConfigs{{kFixtures / "nope"}, {kFixtures / "nope"}};
  d = default_servers(configs);
  CHECK(d.servers == std::vector<std::string>{"pool.ntp.org"});
  CHECK(d.origin == "built-in default");
}

TEST_CASE("IMF-fixdate parsing", "[checks][clock][http]") {
  auto t = parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(t);
  CHECK(system_clock::to_time_t(*t) == 784111777);
  CHECK(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT") == system_clock::from_time_t(0));
  CHECK(parse_imf_fixdate(" Thu, 29 Feb 2024 23:59:59 GMT\r\n"));
  CHECK_FALSE(parse_imf_fixdate("Sunday, 06-Nov-94 08:49:37 GMT"));  // RFC 850: obsolete
  CHECK_FALSE(parse_imf_fixdate("Sun Nov  6 08:49:37 1994"));        // asctime
  CHECK_FALSE(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 UTC"));
  CHECK_FALSE(parse_imf_fixdate("Mon, 06 Nov 1994 08:49:37 GMT"));   // wrong weekday
  CHECK_FALSE(parse_imf_fixdate("Thu, 31 Feb 2024 08:49:37 GMT"));   // no such day
  CHECK_FALSE(parse_imf_fixdate("Sun, 06 Nov 1994 24:49:37 GMT"));
  CHECK_FALSE(parse_imf_fixdate(""));
}

TEST_CASE("HTTP Date bounds and their intersection", "[checks][clock][http]") {
  // Server 3.3 s ahead; requests take 100 ms.
  const double ahead = 3.3;
  std::vector<DateObservation> seen;
  for (double t0 : {1000.0, 1000.45, 1000.9, 1001.2}) {
    const double server_at_reply = t0 + 0.05 + ahead;
    seen.push_back({at(t0), at(t0 + 0.1), at(std::floor(server_at_reply))});
  }
  const OffsetInterval first = bound(seen.front());
  CHECK(first.low == Approx(1003 - 1000.1));
  CHECK(first.high == Approx(1004 - 1000.0));
  auto iv = intersect(seen);
  REQUIRE(iv);
  CHECK(iv->low < ahead);
  CHECK(iv->high > ahead);
  CHECK(iv->uncertainty() < first.uncertainty());
  CHECK(iv->midpoint() == Approx(ahead).margin(iv->uncertainty()));

  // A second server whose clock is 5 s different: the bounds cannot overlap.
  seen.push_back({at(1002.0), at(1002.1), at(1010.0)});
  CHECK_FALSE(intersect(seen));
  CHECK_FALSE(intersect({}));
}

TEST_CASE("measure_http_date narrows the interval and reports a missing Date", "[checks][clock][http]") {
  SystemClock clock;
  const double ahead = 3.0;
  HttpFetch fetch = [&](const net::Request&) -> Result<net::Response> {
    net::Response r;
    r.status = 200;
    const auto server_now = system_clock::now() + duration_cast<system_clock::duration>(duration<double>(ahead));
    const std::time_t t = system_clock::to_time_t(server_now);
    char buf[64];
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    r.headers["date"] = buf;
    return r;
  };
  HttpDateOptions options;
  options.samples = 3;
  auto e = measure_http_date("http://example.test/", options, fetch, clock);
  REQUIRE(e);
  CHECK(e->samples >= 2);
  CHECK(e->interval.low < ahead + 0.01);
  CHECK(e->interval.high > ahead - 0.01);
  CHECK(e->interval.uncertainty() < 0.5);

  HttpFetch no_date = [](const net::Request&) -> Result<net::Response> {
    net::Response r;
    r.status = 502;
    return r;
  };
  auto bad = measure_http_date("http://example.test/", options, no_date, clock);
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("no Date header"));
}

TEST_CASE("adjtimex reading as node_exporter interprets it", "[checks][clock][kernel]") {
  KernelClock k = interpret(TimexReading{TIME_OK, STA_PLL | STA_NANO, 1'500'000, 2'000, 16'000});
  CHECK(k.synchronised);
  CHECK(k.offset_seconds == Approx(0.0015));
  CHECK(k.estimated_error_seconds == Approx(0.002));
  CHECK(k.max_error_seconds == Approx(0.016));
  k = interpret(TimexReading{TIME_ERROR, STA_UNSYNC, 1'500, 0, 16'000'000});
  CHECK_FALSE(k.synchronised);
  CHECK(k.offset_seconds == Approx(0.0015));  // µs without STA_NANO
  CHECK(read_kernel_clock());                  // read-only: allowed without privileges
}
