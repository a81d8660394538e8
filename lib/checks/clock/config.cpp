#include "checks/clock/config.h"

#include <algorithm>
#include <future>

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(# checks.clock: this host's clock against NTP servers, the kernel's sync state,
# and optionally HTTP servers' Date headers.
# NTP servers to ask ("host", "host:port", "[v6]:port"). Default: the servers/pools of
# the host's chrony config (/etc/chrony/chrony.conf with its sourcedir/confdir) or ntp
# config (/etc/ntpsec/ntp.conf, /etc/ntp.conf), else pool.ntp.org.
# servers: [0.debian.pool.ntp.org, ntp1.example.net:123]
# SNTP exchanges per server; the one with the lowest round-trip delay is used.
# samples: 4
# Time allowed per NTP server (DNS included); servers are asked in parallel.
# timeout: 2s
# |offset| above which the check warns / goes critical (-w/-c override: seconds or 50ms, 1s).
# warn_offset: 50ms
# crit_offset: 1s
# WARNING when the kernel says the clock is not synchronised (adjtimex). Set false with
# chrony without `rtcsync`, which always leaves the kernel flag unsynchronised.
# require_kernel_sync: true
# Cross-check against HTTP Date headers (1 s resolution; several requests narrow it).
# http_urls: [https://matrix.example.org/_matrix/federation/v1/version]
# http_samples: 4
# http_timeout: 5s
)";

class ClockCheck final : public Check {
 public:
  ClockCheck(ClockSettings settings, ClockProbes probes, const Clock& clock)
      : settings_(std::move(settings)), probes_(std::move(probes)), clock_(clock) {}

  std::string name() const override { return "clock"; }

  CheckResult run() override {
    ClockObservations seen;
    std::vector<std::string> servers = settings_.servers;
    if (servers.empty()) {
      auto found = default_servers(settings_.daemon_configs);
      servers = std::move(found.servers);
      seen.servers_origin = found.origin;
    }
    // Every source in parallel: each has its own deadline, so the check ends within the
    // longest of them however many servers are black holes.
    net::SntpOptions options;
    options.samples = settings_.samples;
    options.timeout = settings_.timeout;
    std::vector<std::future<Result<net::SntpSample>>> ntp;
    for (const auto& server : servers) {
      ntp.push_back(std::async(std::launch::async, [this, server, options] { return probes_.sntp(server, options); }));
    }
    std::vector<std::future<Result<HttpDateEstimate>>> http;
    for (const auto& url : settings_.http_urls) {
      HttpDateOptions h;
      h.samples = settings_.http_samples;
      h.budget = settings_.http_timeout;
      h.per_request = settings_.http_deadlines;
      h.ca_file = settings_.ca_file;
      http.push_back(std::async(std::launch::async,
                                [this, url, h] { return measure_http_date(url, h, probes_.http, clock_); }));
    }
    if (settings_.read_kernel && probes_.kernel) seen.kernel = probes_.kernel();
    for (std::size_t i = 0; i < servers.size(); ++i) seen.servers.push_back({servers[i], ntp[i].get()});
    for (std::size_t i = 0; i < settings_.http_urls.size(); ++i) {
      seen.http.push_back({settings_.http_urls[i], http[i].get()});
    }
    return assess(seen, settings_.thresholds);
  }

 private:
  ClockSettings settings_;
  ClockProbes probes_;
  const Clock& clock_;
};

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return make_clock_check(read_clock_settings(section, services), real_clock_probes(services.clock), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_clock_settings(section, services); }

}  // namespace

ClockProbes real_clock_probes(const Clock& clock) {
  ClockProbes p;
  p.sntp = [&clock](const std::string& server, const net::SntpOptions& options) {
    return net::query(server, options, clock);
  };
  p.kernel = [] { return read_kernel_clock(); };
  p.http = [](const net::Request& request) { return net::perform(request); };
  return p;
}

ClockSettings read_clock_settings(const config::Section& section, const Services& services,
                                  const TimeDaemonConfigs& daemon_configs) {
  ClockSettings s;
  s.daemon_configs = daemon_configs;
  s.servers = section.strings("servers", {});
  for (const auto& server : s.servers) {
    if (auto hp = net::parse_host_port(server); !hp) section.fail("servers", hp.error().message);
  }
  s.samples = static_cast<int>(section.integer_in("samples", s.samples, 1, 16));
  s.timeout = section.positive_duration("timeout", s.timeout);
  s.http_urls = section.strings("http_urls", {});
  s.http_samples = static_cast<int>(section.integer_in("http_samples", s.http_samples, 1, 16));
  s.http_timeout = section.positive_duration("http_timeout", s.http_timeout);
  s.thresholds.require_kernel_sync = section.boolean("require_kernel_sync", true);

  const Millis warn = section.positive_duration("warn_offset", Millis(50));
  const Millis crit = section.positive_duration("crit_offset", Millis(1000));
  if (warn > crit) section.fail("warn_offset", "warn_offset is larger than crit_offset");
  s.thresholds.warning = offset_limit(std::chrono::duration<double>(warn).count());
  s.thresholds.critical = offset_limit(std::chrono::duration<double>(crit).count());
  if (auto w = cli_range(services.warning, "-w", Figure::seconds)) s.thresholds.warning = *w;
  if (auto c = cli_range(services.critical, "-c", Figure::seconds)) s.thresholds.critical = *c;

  // -t caps every deadline: the whole check must end within it.
  s.http_deadlines.connect = services.global.connect_timeout;
  s.http_deadlines.total = services.global.request_timeout;
  s.ca_file = services.global.ca_file;
  if (services.timeout) {
    s.timeout = std::min(s.timeout, *services.timeout);
    s.http_timeout = std::min(s.http_timeout, *services.timeout);
  }
  section.reject_unknown_keys();
  return s;
}

std::shared_ptr<Check> make_clock_check(ClockSettings settings, ClockProbes probes, const Clock& clock) {
  return std::make_shared<ClockCheck>(std::move(settings), std::move(probes), clock);
}

CheckInfo clock_check_info() {
  return CheckInfo{"clock",
                   "clock offset against NTP servers (SNTP), kernel sync state, HTTP Date cross-check",
                   "Applies to |offset|, in seconds or with a unit, e.g. -w 0.05 -c 1 or -w 50ms -c 1s",
                   true,
                   kExample,
                   &make, &validate};
}

}  // namespace hsops::checks
