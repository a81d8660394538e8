#include "checks/patroni/config.h"

#include <algorithm>

#include "checks/common/fit_options.h"
#include "checks/patroni/check.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # off until urls below is set
# Every member's Patroni REST API (restapi.connect_address). Each is asked for /patroni
# (its own view, including when it last reached etcd); the first that answers also for
# /cluster (the whole cluster as the DCS holds it).
# urls: [http://db1:8008, http://db2:8008]
# Members the cluster must have; fewer is CRITICAL.
# members: 2
# Replica lag in bytes: WARNING above max_lag (Patroni's maximum_lag_on_failover default),
# CRITICAL above crit_lag.
# max_lag: 1MiB
# crit_lag: 16MiB
# A member whose last DCS (etcd) contact is older than this cannot reach etcd (Patroni's
# default ttl is 30s).
# dcs_max_age: 30s
# Extra CA bundle for an https REST API (default: http.ca_file, else the system store).
# ca_file: /etc/patroni/ca.pem
)";

constexpr std::string_view kThresholdHelp =
    "-w/-c: replica lag in bytes (sizes such as 1MiB, 64MiB), replacing max_lag / crit_lag. "
    "Leader, member, timeline and DCS rules stay as configured.";

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return patroni::make_patroni_check(read_patroni_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_patroni_options(section, services); }

}  // namespace

patroni::Options read_patroni_options(const config::Section& s, const Services& services) {
  patroni::Options o;
  o.urls = s.strings("urls", {});
  if (o.urls.empty()) s.fail("urls", "checks.patroni needs urls: each member's REST API, e.g. [http://db1:8008, http://db2:8008]");
  for (auto& url : o.urls) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      s.fail("urls", "'" + url + "' is not an http(s) URL (Patroni's REST API listens on restapi.listen, default port 8008)");
    }
    if (std::count(o.urls.begin(), o.urls.end(), url) > 1) s.fail("urls", "'" + url + "' is listed twice");
  }
  auto& t = o.thresholds;
  t.members = static_cast<std::size_t>(s.integer_in("members", 2, 1, 100));
  t.warn_lag_bytes = s.size("max_lag", t.warn_lag_bytes);
  t.crit_lag_bytes = s.size("crit_lag", t.crit_lag_bytes);
  t.dcs_max_age = positive_seconds(s, "dcs_max_age", t.dcs_max_age);
  o.ca_file = s.string("ca_file", services.global.ca_file);
  s.reject_unknown_keys();
  if (auto w = cli_size(services.warning, "-w")) t.warn_lag_bytes = *w;
  if (auto c = cli_size(services.critical, "-c")) t.crit_lag_bytes = *c;
  if (t.warn_lag_bytes > t.crit_lag_bytes) {
    s.fail("max_lag", "max_lag (" + std::to_string(t.warn_lag_bytes) + " B) is above crit_lag (" +
                          std::to_string(t.crit_lag_bytes) + " B)");
  }
  o.deadlines = {services.global.connect_timeout, services.timeout.value_or(services.global.request_timeout)};
  o.deadlines.connect = std::min(o.deadlines.connect, o.deadlines.total);
  return o;
}

CheckInfo patroni_check_info() {
  return CheckInfo{"patroni",
                   "Patroni cluster from its REST API: one leader, replicas streaming and lag, timelines, "
                   "each member's etcd contact, maintenance mode",
                   kThresholdHelp, false, kExample, &make, &validate};
}

}  // namespace hsops::checks
