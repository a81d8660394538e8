#include <catch2/catch.hpp>

#include <thread>

#include "checks/clock/config.h"
#include "config/config.h"

using namespace hsops;
using namespace hsops::checks;

namespace {

net::SntpSample sample(double offset, double delay = 0.0002, std::string address = "127.0.0.1:12345") {
  net::SntpSample s;
  s.offset = offset;
  s.delay = delay;
  s.stratum = 1;
  s.refid = "GPS";
  s.server = std::move(address);
  s.samples = 4;
  return s;
}

KernelClock synced(bool yes = true) {
  KernelClock k;
  k.synchronised = yes;
  k.estimated_error_seconds = 0.001;
  k.max_error_seconds = 0.5;
  return k;
}

const Measurement* find(const CheckResult& r, const std::string& label) {
  for (const auto& m : r.measurements) {
    if (m.label == label) return &m;
  }
  return nullptr;
}

bool any_detail(const CheckResult& r, const std::string& text) {
  for (const auto& d : r.details) {
    if (d.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("clock status from the offset with default thresholds", "[checks][clock]") {
  ClockObservations seen;
  seen.kernel = Result<KernelClock>(synced());
  seen.servers.push_back({"127.0.0.1:12345", sample(2.503)});
  CheckResult r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "offset +2.503 s vs 127.0.0.1:12345 (stratum 1, delay 0.200 ms); kernel synchronised");
  CHECK(any_detail(r, "2.503 s off: a 500 ppm slew (ntpd's maximum) needs 1 h 23 min; step the clock: chronyc makestep"));
  CHECK(any_detail(r, "paused or live-migrated"));
  const Measurement* off = find(r, "offset");
  REQUIRE(off);
  CHECK(off->metric == "hsops_clock_offset_seconds");
  CHECK(off->metric_labels.at("source") == "ntp");
  CHECK(off->warning->text() == Range::parse("-0.05:0.05")->text());
  CHECK(off->critical->alerts(-1.5));
  CHECK(find(r, "kernel synchronised")->value == 1);
  CHECK(find(r, "sources reachable")->value == 1);

  seen.servers[0].sample = sample(-0.060);
  r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::warning);
  CHECK(any_detail(r, "60.0 ms off"));
  CHECK_FALSE(any_detail(r, "paused"));

  seen.servers[0].sample = sample(0.0123);
  r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::ok);
  CHECK(r.summary.rfind("offset +12.3 ms", 0) == 0);
}

TEST_CASE("the lowest-delay server is used / the others listed", "[checks][clock]") {
  ClockObservations seen;
  seen.servers.push_back({"far.example", sample(0.2, 0.080, "192.0.2.1:123")});
  seen.servers.push_back({"near.example", sample(0.01, 0.002, "192.0.2.2:123")});
  seen.servers.push_back({"deny.example", Error{ErrorKind::kod, "kiss-o'-death DENY: the server refuses us; do not query it"}});
  const CheckResult r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::ok);
  CHECK(r.summary.find("near.example") != std::string::npos);
  CHECK(find(r, "offset far.example")->value == Approx(0.2));
  CHECK(find(r, "offset far.example")->metric_labels.at("server") == "far.example");
  CHECK(find(r, "sources reachable")->value == 2);
  CHECK(find(r, "sources reachable")->max == 3);
  CHECK(any_detail(r, "deny.example: kiss-o'-death DENY"));
  CHECK(any_detail(r, "not used"));
}

TEST_CASE("no time source answered is UNKNOWN with every reason", "[checks][clock]") {
  ClockObservations seen;
  seen.kernel = Result<KernelClock>(synced());
  seen.servers.push_back({"a.example", Error{ErrorKind::timeout, "no reply within 2000 ms"}});
  seen.servers.push_back({"b.example", Error{ErrorKind::dns, "cannot resolve b.example"}});
  const CheckResult r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("a.example: no reply within 2000 ms") != std::string::npos);
  CHECK(r.summary.find("b.example: cannot resolve") != std::string::npos);
  CHECK(find(r, "sources reachable")->value == 0);

  CHECK(assess(ClockObservations{}, ClockThresholds{}).status == Status::unknown);
}

TEST_CASE("kernel not synchronised is at least a WARNING unless disabled", "[checks][clock]") {
  ClockObservations seen;
  seen.kernel = Result<KernelClock>(synced(false));
  seen.servers.push_back({"s", sample(0.001)});
  ClockThresholds t;
  CheckResult r = assess(seen, t);
  CHECK(r.status == Status::warning);
  CHECK(r.summary.find("kernel NOT synchronised") != std::string::npos);
  CHECK(any_detail(r, "rtcsync"));
  t.require_kernel_sync = false;
  CHECK(assess(seen, t).status == Status::ok);
  // A critical offset stays critical.
  seen.servers[0].sample = sample(5);
  CHECK(assess(seen, ClockThresholds{}).status == Status::critical);
}

TEST_CASE("HTTP Date disagreeing with NTP beyond its uncertainty warns", "[checks][clock][http]") {
  ClockObservations seen;
  seen.servers.push_back({"s", sample(0.001)});
  seen.http.push_back({"https://hs.example/_matrix/federation/v1/version",
                       HttpDateEstimate{"https://hs.example", OffsetInterval{2.8, 3.3}, 4}});
  CheckResult r = assess(seen, ClockThresholds{});
  CHECK(r.status == Status::warning);
  CHECK(r.summary.find("HTTP Date of https://hs.example/_matrix/federation/v1/version says +3.050 s") !=
        std::string::npos);
  const Measurement* http = find(r, "http offset hs.example");
  REQUIRE(http);
  CHECK(http->metric_labels.at("source") == "http");
  CHECK(http->value == Approx(3.05));

  seen.http[0].estimate = HttpDateEstimate{"u", OffsetInterval{-0.4, 0.5}, 4};
  CHECK(assess(seen, ClockThresholds{}).status == Status::ok);

  // No NTP answer, but the Date header proves the clock is off by more than 1 s.
  seen.servers[0].sample = Error{ErrorKind::timeout, "no reply"};
  seen.http[0].estimate = HttpDateEstimate{"u", OffsetInterval{2.8, 3.3}, 4};
  CHECK(assess(seen, ClockThresholds{}).status == Status::critical);
  seen.http[0].estimate = HttpDateEstimate{"u", OffsetInterval{-0.4, 0.5}, 4};
  CHECK(assess(seen, ClockThresholds{}).status == Status::unknown);
}

TEST_CASE("slew advice", "[checks][clock]") {
  CHECK(slew_advice(-1.0).find("1.000 s off: a 500 ppm slew (ntpd's maximum) needs 33 min 20 s") == 0);
  CHECK(slew_advice(300).find("needs 6 d 23 h") != std::string::npos);  // 600000 s ≈ 6.94 days
  CHECK(slew_advice(0.06).find("should slew this out") != std::string::npos);
}

TEST_CASE("checks.clock config: defaults / keys and -w/-c overrides", "[checks][clock][config]") {
  SystemClock clock;
  Services services{.clock = clock};
  auto doc = config::Document::parse(
      "checks:\n  clock:\n    servers: [\"127.0.0.1:1123\", \"[::1]:1123\"]\n    samples: 2\n    timeout: 500ms\n"
      "    warn_offset: 100ms\n    crit_offset: 2s\n    require_kernel_sync: false\n"
      "    http_urls: [\"http://127.0.0.1:8008/\"]\n",
      "t.yaml");
  const config::Section section = doc.root().child("checks").child("clock");
  ClockSettings s = read_clock_settings(section, services);
  CHECK(s.servers.size() == 2);
  CHECK(s.samples == 2);
  CHECK(s.timeout == Millis(500));
  CHECK_FALSE(s.thresholds.require_kernel_sync);
  CHECK(s.thresholds.warning.alerts(0.11));
  CHECK_FALSE(s.thresholds.critical.alerts(1.9));
  CHECK(s.http_urls.size() == 1);

  services.warning = "0.5";
  services.critical = "3";
  services.timeout = Millis(300);
  s = read_clock_settings(section, services);
  CHECK_FALSE(s.thresholds.warning.alerts(0.4));
  CHECK(s.thresholds.critical.alerts(3.5));
  CHECK(s.timeout == Millis(300));

  auto defaults = read_clock_settings(config::Document::empty().root().child("checks").child("clock"),
                                      Services{.clock = clock});
  CHECK(defaults.servers.empty());
  CHECK(defaults.samples == 4);
  CHECK(defaults.thresholds.warning.alerts(0.051));
  CHECK(defaults.thresholds.critical.alerts(1.01));

  auto bad = config::Document::parse("checks:\n  clock:\n    samples: 0\n", "bad.yaml");
  CHECK_THROWS_AS(read_clock_settings(bad.root().child("checks").child("clock"), services), config::ConfigError);
  auto unknown = config::Document::parse("checks:\n  clock:\n    sever: [x]\n", "bad.yaml");
  CHECK_THROWS_AS(read_clock_settings(unknown.root().child("checks").child("clock"), services), config::ConfigError);
  auto bad_server = config::Document::parse("checks:\n  clock:\n    servers: [\"host:99999\"]\n", "bad.yaml");
  CHECK_THROWS_AS(read_clock_settings(bad_server.root().child("checks").child("clock"), services),
                  config::ConfigError);
  // Each offset is refused at its own key, with the one message for a non-positive duration.
  auto zero_crit = config::Document::parse("checks:\n  clock:\n    crit_offset: 0s\n", "bad.yaml");
  CHECK_THROWS_WITH(read_clock_settings(zero_crit.root().child("checks").child("clock"), services),
                    "bad.yaml:3:18: checks.clock.crit_offset: must be a positive duration");
}

TEST_CASE("the clock check runs its probes in parallel and assesses them", "[checks][clock]") {
  SystemClock clock;
  ClockSettings settings;
  settings.servers = {"good", "slow"};
  ClockProbes probes;
  probes.sntp = [](const std::string& server, const net::SntpOptions& o) -> Result<net::SntpSample> {
    if (server == "slow") {
      std::this_thread::sleep_for(o.timeout);
      return Error{ErrorKind::timeout, "no reply within " + std::to_string(o.timeout.count()) + " ms"};
    }
    return sample(2.5);
  };
  probes.kernel = [] { return Result<KernelClock>(synced()); };
  settings.timeout = Millis(300);
  auto check = make_clock_check(settings, probes, clock);
  const auto started = std::chrono::steady_clock::now();
  const CheckResult r = check->run();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.rfind("offset +2.500 s vs good", 0) == 0);
  CHECK(any_detail(r, "slow: no reply within 300 ms"));

  const CheckInfo info = clock_check_info();
  CHECK(info.name == "clock");
  CHECK(info.default_enabled);
  CHECK(info.example.find("warn_offset: 50ms") != std::string_view::npos);
}
