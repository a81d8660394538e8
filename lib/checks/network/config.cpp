#include "checks/network/config.h"

#include <algorithm>
#include <charconv>

#include "checks/network/check.h"

namespace hsops::checks {
namespace {

constexpr std::string_view kExample = R"(enabled: false  # on once this section says what the host needs
# Destinations whose traffic must leave by a given device and/or gateway (the kernel is
# asked which route it picks for the first address, as `ip route get fibmatch` does). A
# route that vanished (traffic falls through to the default route), or moved to another
# device or gateway, is CRITICAL.
# routes:
#   - to: 10.8.0.0/16           # the VPN to the bridge hosts
#     dev: tun0
#   - to: 198.51.100.0/24
#     via: 10.1.0.1
# An IPv4 default route must exist in the main table (false on a host without one).
# default_route: true
# Addresses that must be on an interface (a service address, a VIP); a /len must match too.
# addresses:
#   - address: 192.0.2.10
#     dev: eth0
# Interfaces that must exist, be up and have carrier.
# interfaces_up: [eth0, tun0]
# Peers (host:port) that must accept a TCP connection within connect_timeout; the route the kernel
# picks for each is reported. All peers are tried at the same time; -t caps the timeout.
# peers: [irc.example.org:6697, db2.example.org:5432]
# connect_timeout: 3s
# DHCP: WARNING when an address comes from DHCP at all (the lesson: no DHCP in production);
# CRITICAL when a lease's renewal is overdue by renewal_grace or it expires within
# expiry_within. Leases are read from the places Debian's clients keep them.
# allow_dhcp: false
# dhcp:
#   enabled: true
#   expiry_within: 10m
#   renewal_grace: 1m
#   forget_expired_after: 1d
#   lease_paths: [/var/lib/dhcp, /run/systemd/netif/leases, /var/lib/dhcpcd, /run/NetworkManager/devices, /var/lib/NetworkManager]
# Hook lint: every command in up/pre-up/post-up/down lines of /etc/network/interfaces (and
# what it sources) and in dhclient's enter/exit hooks must resolve on the PATH those hooks
# run with, or be an absolute path that exists and is executable. WARNING per finding.
# hooks:
#   enabled: true
#   interfaces_files: [/etc/network/interfaces]
#   dhclient_hooks: [/etc/dhcp/dhclient-enter-hooks, /etc/dhcp/dhclient-enter-hooks.d, /etc/dhcp/dhclient-exit-hooks, /etc/dhcp/dhclient-exit-hooks.d]
#   ifupdown_path: /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
#   dhclient_path: /usr/ucb:/usr/bin:/usr/sbin:/bin:/sbin
)";

net::IpPrefix prefix_at(const config::Section& s, std::string_view key, std::string_view text) {
  auto parsed = net::parse_ip_prefix(text);
  if (!parsed) s.fail(key, parsed.error().message);
  return parsed.value();
}

std::string required_string(const config::Section& s, std::string_view key, const char* what) {
  std::string value = s.string(key, "");
  if (value.empty()) s.fail(key, std::string("is required: ") + what);
  return value;
}

network::ExpectedRoute read_route(const config::Section& item) {
  network::ExpectedRoute r;
  r.to = prefix_at(item, "to", required_string(item, "to", "the destination, e.g. 10.8.0.0/16"));
  r.dev = item.string("dev", "");
  if (auto via = item.optional_string("via")) {
    r.via = prefix_at(item, "via", *via);
    if (!r.via->is_host()) item.fail("via", "'" + *via + "' is a prefix; a gateway is one address");
    if (r.via->family != r.to.family) item.fail("via", "'" + *via + "' is not the same IP version as 'to'");
  }
  if (r.dev.empty() && !r.via) item.fail("to", "says neither `dev` nor `via`: name the device or gateway traffic must use");
  item.reject_unknown_keys();
  return r;
}

network::ExpectedAddress read_address(const config::Section& item) {
  network::ExpectedAddress a;
  const std::string text = required_string(item, "address", "e.g. 192.0.2.10 or 192.0.2.10/24");
  const auto slash = text.find('/');
  a.address = prefix_at(item, "address", text.substr(0, slash));
  if (slash != std::string::npos) {
    int length = -1;
    const char* begin = text.data() + slash + 1;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(begin, end, length);
    if (ec != std::errc{} || stop != end || length < 0 || length > a.address.max_length()) {
      item.fail("address", "'" + text + "': the prefix length must be 0 to " + std::to_string(a.address.max_length()));
    }
    a.prefix_length = length;
  }
  a.dev = required_string(item, "dev", "the interface the address must be on");
  item.reject_unknown_keys();
  return a;
}

// "host:port" or "[2001:db8::1]:port".
network::Peer read_peer(const config::Section& s, const std::string& text) {
  network::Peer p;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close != std::string::npos) {
      p.host = text.substr(1, close - 1);
      port = text.substr(close + 2);
    }
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
    p.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto [stop, ec] = std::from_chars(port.data(), port.data() + port.size(), p.port);
  if (p.host.empty() || ec != std::errc{} || stop != port.data() + port.size() || p.port < 1 || p.port > 65535) {
    s.fail("peers", "'" + text + "' is not host:port (e.g. irc.example.org:6697, [2001:db8::1]:5432)");
  }
  return p;
}

std::vector<std::filesystem::path> paths(const config::Section& s, std::string_view key,
                                         std::vector<std::filesystem::path> fallback) {
  if (!s.has(key)) return fallback;
  std::vector<std::filesystem::path> out;
  for (const auto& p : s.strings(key, {})) {
    if (p.empty() || p.front() != '/') s.fail(key, "'" + p + "' is not an absolute path");
    out.emplace_back(p);
  }
  return out;
}

std::chrono::seconds whole_seconds(const config::Section& s, std::string_view key, std::chrono::seconds fallback) {
  return std::chrono::duration_cast<std::chrono::seconds>(s.duration(key, fallback));
}

network::DhcpOptions read_dhcp(const config::Section& root, const config::Section& s) {
  network::DhcpOptions d;
  d.allow = root.boolean("allow_dhcp", d.allow);
  d.enabled = s.boolean("enabled", d.enabled);
  d.expiry_within = whole_seconds(s, "expiry_within", d.expiry_within);
  d.renewal_grace = whole_seconds(s, "renewal_grace", d.renewal_grace);
  d.forget_expired_after = whole_seconds(s, "forget_expired_after", d.forget_expired_after);
  d.lease_paths = paths(s, "lease_paths", {});
  s.reject_unknown_keys();
  return d;
}

network::HookSources read_hooks(const config::Section& s) {
  network::HookSources h;
  h.interfaces_files = paths(s, "interfaces_files", h.interfaces_files);
  h.dhclient_hooks = paths(s, "dhclient_hooks", h.dhclient_hooks);
  h.ifupdown_path = s.string("ifupdown_path", "");
  h.dhclient_path = s.string("dhclient_path", "");
  return h;
}

std::shared_ptr<Check> make(const config::Section& section, const Services& services) {
  return network::make_network_check(read_network_options(section, services), services.clock);
}

void validate(const config::Section& section, const Services& services) { (void)read_network_options(section, services); }

}  // namespace

network::Options read_network_options(const config::Section& s, const Services& services) {
  network::Options o;
  for (const auto& item : s.list("routes")) o.routes.push_back(read_route(item));
  o.default_route = s.boolean("default_route", o.default_route);
  for (const auto& item : s.list("addresses")) o.addresses.push_back(read_address(item));
  o.interfaces_up = s.strings("interfaces_up", {});
  for (const auto& text : s.strings("peers", {})) o.peers.push_back(read_peer(s, text));
  o.connect_timeout = s.positive_duration("connect_timeout", o.connect_timeout);
  if (services.timeout) o.connect_timeout = std::min(o.connect_timeout, *services.timeout);
  o.dhcp = read_dhcp(s, s.child("dhcp"));
  const config::Section hooks = s.child("hooks");
  o.hooks_enabled = hooks.boolean("enabled", o.hooks_enabled);
  o.hooks = read_hooks(hooks);
  hooks.reject_unknown_keys();
  s.reject_unknown_keys();
  return o;
}

CheckInfo network_check_info() {
  return CheckInfo{"network",
                   "expected routes, addresses and interfaces, reachable peers, DHCP leases and hook scripts: "
                   "what would break at the next reboot or renewal",
                   "", false, kExample, &make, &validate};
}

}  // namespace hsops::checks
