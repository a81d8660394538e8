#include <catch2/catch.hpp>

#include <sys/socket.h>

#include "checks/network/report.h"

using namespace hsops;
using namespace hsops::checks::network;

namespace {

net::IpPrefix ip(const char* text) { return net::parse_ip_prefix(text).value(); }

net::KernelRoute route(const char* destination, const char* dev, const char* via = "", const char* type = "unicast") {
  net::KernelRoute r;
  r.destination = ip(destination);
  r.dev = dev;
  r.via = via;
  r.type = type;
  r.table = 254;
  return r;
}

net::KernelInterface interface(const char* name, std::vector<net::InterfaceAddress> addresses = {}, bool up = true) {
  net::KernelInterface i;
  i.name = name;
  i.admin_up = i.lower_up = up;
  i.oper_state = up ? "up" : "down";
  i.addresses = std::move(addresses);
  return i;
}

net::InterfaceAddress address(const char* text, int length, std::optional<std::uint32_t> valid = std::nullopt) {
  net::InterfaceAddress a;
  a.address = ip(text);
  a.address.length = length;
  a.permanent = !valid;
  a.valid_seconds = valid;
  return a;
}

// A healthy host: eth0 with a static address and a default route; nothing else configured.
Observations healthy() {
  Observations seen;
  seen.now = 1'800'000'000;
  seen.interfaces = std::vector<net::KernelInterface>{interface("eth0", {address("192.0.2.5", 24)})};
  seen.ipv4_routes = std::vector<net::KernelRoute>{route("0.0.0.0/0", "eth0", "192.0.2.1"), route("192.0.2.0/24", "eth0")};
  seen.leases = LeaseScan{};
  seen.hooks = HookLint{};
  return seen;
}

Lease lease(double start, double lifetime) {
  Lease l;
  l.client = DhcpClient::dhclient;
  l.file = "/var/lib/dhcp/dhclient.eth0.leases";
  l.interface = "eth0";
  l.address = "192.0.2.5";
  l.start = start;
  l.renew = start + lifetime / 2;
  l.rebind = start + lifetime * 7 / 8;
  l.expiry = start + lifetime;
  return l;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("network report: a healthy host is OK and says nothing would break", "[network][report]") {
  const auto r = build_result(Options{}, healthy());
  CHECK(r.status == Status::ok);
  CHECK(r.details.front() == "Next reboot or DHCP renewal: nothing found that would break");
  CHECK(contains(r.details[1], "default route: default via 192.0.2.1 dev eth0"));
}

TEST_CASE("network report: a route that falls through to the default route is missing and named", "[network][report]") {
  Options o;
  o.routes.push_back({ip("10.8.0.0/16"), "tun0", std::nullopt});
  auto seen = healthy();
  seen.routes.push_back({o.routes[0], route("0.0.0.0/0", "eth0", "192.0.2.1")});
  const auto r = build_result(o, seen);
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "route 10.8.0.0/16 missing: traffic would take default via 192.0.2.1 dev eth0");
}

TEST_CASE("network report: route verdicts by device gateway type and lookup failure", "[network][report]") {
  const ExpectedRoute by_dev{ip("10.8.0.0/16"), "tun0", std::nullopt};
  const ExpectedRoute by_gateway{ip("10.8.0.0/16"), "", ip("10.1.0.1")};
  struct Row {
    ExpectedRoute want;
    Result<net::KernelRoute> got;
    Status status;
    std::string summary;
  };
  const std::vector<Row> rows{
      {by_dev, route("10.8.0.0/16", "tun0"), Status::ok, ""},
      {by_dev, route("10.8.0.0/24", "tun0"), Status::ok, ""},  // more specific still covers the first address
      {by_dev, route("10.8.0.0/16", "eth1"), Status::critical, "route 10.8.0.0/16 leaves by eth1, expected tun0 (10.8.0.0/16 dev eth1)"},
      {by_gateway, route("10.8.0.0/16", "eth0", "10.1.0.1"), Status::ok, ""},
      {by_gateway, route("10.8.0.0/16", "eth0", "10.1.0.2"), Status::critical,
       "route 10.8.0.0/16 goes via 10.1.0.2, expected via 10.1.0.1 (10.8.0.0/16 via 10.1.0.2 dev eth0)"},
      {by_gateway, route("10.8.0.0/16", "eth0"), Status::critical,
       "route 10.8.0.0/16 goes on-link, expected via 10.1.0.1 (10.8.0.0/16 dev eth0)"},
      {by_dev, route("10.8.0.0/16", "", "", "blackhole"), Status::critical, "route 10.8.0.0/16 is blackhole 10.8.0.0/16"},
      {by_dev, Error{ErrorKind::network, "route lookup for 10.8.0.0: Network is unreachable"}, Status::critical,
       "route 10.8.0.0/16: none (route lookup for 10.8.0.0: Network is unreachable)"},
      {by_dev, Error{ErrorKind::timeout, "the kernel did not answer within 2000 ms"}, Status::unknown,
       "route 10.8.0.0/16: cannot ask the kernel: the kernel did not answer within 2000 ms"},
  };
  for (const auto& row : rows) {
    Options o;
    o.routes.push_back(row.want);
    auto seen = healthy();
    seen.routes.push_back({row.want, row.got});
    const auto r = build_result(o, seen);
    INFO(r.summary);
    CHECK(r.status == row.status);
    if (!row.summary.empty()) CHECK(r.summary == row.summary);
  }
}

TEST_CASE("network report: no default route is CRITICAL unless not required and unlistable routes are UNKNOWN", "[network][report]") {
  auto seen = healthy();
  seen.ipv4_routes = std::vector<net::KernelRoute>{route("192.0.2.0/24", "eth0")};
  CHECK(build_result(Options{}, seen).summary == "no IPv4 default route");
  Options no_default;
  no_default.default_route = false;
  CHECK(build_result(no_default, seen).status == Status::ok);
  seen.ipv4_routes = Error{ErrorKind::network, "listing routes: cannot open a netlink socket: Permission denied"};
  const auto r = build_result(Options{}, seen);
  CHECK(r.status == Status::unknown);
  CHECK(contains(r.summary, "default route: cannot list routes"));
}

TEST_CASE("network report: interfaces and addresses", "[network][report]") {
  Options o;
  o.interfaces_up = {"eth0", "tun0", "eth1"};
  o.addresses = {{ip("192.0.2.10"), std::nullopt, "eth0"}, {ip("192.0.2.5"), 25, "eth0"}, {ip("198.51.100.7"), std::nullopt, "eth0"}};
  auto seen = healthy();
  seen.interfaces = std::vector<net::KernelInterface>{interface("eth0", {address("192.0.2.5", 24)}),
                                                      interface("eth1", {address("198.51.100.7", 24)}, false)};
  const auto r = build_result(o, seen);
  CHECK(r.status == Status::critical);
  const std::string all = [&] {
    std::string s;
    for (const auto& d : r.details) s += d + "\n";
    return s;
  }();
  CHECK(contains(all, "CRITICAL: interface tun0 does not exist"));
  CHECK(contains(all, "CRITICAL: interface eth1 is down"));
  CHECK(contains(all, "CRITICAL: address 192.0.2.10 is not on eth0"));
  CHECK(contains(all, "CRITICAL: address 192.0.2.5 on eth0 has prefix length 24, expected 25"));
  CHECK(contains(all, "CRITICAL: address 198.51.100.7 is not on eth0 (it is on eth1)"));
  CHECK(contains(r.summary, "and 2 more (-v)"));
}

TEST_CASE("network report: a black-holed peer is CRITICAL and an unresolvable one UNKNOWN", "[network][report]") {
  auto seen = healthy();
  PeerSeen ok{{"irc.example.org", 6697}, std::nullopt, 0.012, "198.51.100.2", route("198.51.100.2", "eth0", "192.0.2.1")};
  PeerSeen hole{{"db2.example.org", 5432}, Error{ErrorKind::connect_timeout, "connect ... got no answer"}, 3.0, "198.51.100.3",
                route("198.51.100.3", "eth0", "192.0.2.1")};
  PeerSeen nxdomain{{"gone.example.org", 80}, Error{ErrorKind::dns, "cannot resolve gone.example.org: Name or service not known"}, 0.01, "",
                    std::nullopt};
  seen.peers = {ok, hole};
  auto r = build_result(Options{}, seen);
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "peer db2.example.org:5432: no answer within 3.0 s (dropped on the way: a black hole or a firewall) via "
                     "198.51.100.3 via 192.0.2.1 dev eth0");
  seen.peers = {ok, nxdomain};
  r = build_result(Options{}, seen);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary == "peer gone.example.org:80: cannot resolve gone.example.org: Name or service not known");
}

TEST_CASE("network report: DHCP lease verdicts over the lease's life", "[network][report][dhcp]") {
  Options o;
  o.dhcp.allow = true;
  o.dhcp.expiry_within = std::chrono::seconds(600);
  o.dhcp.renewal_grace = std::chrono::seconds(60);
  const double start = 1'800'000'000;
  struct Row {
    double at;  // seconds after the lease start (a 1 h lease: renew at 1800, expiry at 3600)
    Status status;
    std::string summary;
  };
  const std::vector<Row> rows{
      {10, Status::ok, ""},
      {1859, Status::ok, ""},  // renewal due, still within the grace
      {1861, Status::critical, "eth0: DHCP lease of 192.0.2.5 not renewed: renewal was due 1 min 1 s ago; it expires in 28 min 59 s"},
      {3100, Status::critical, "eth0: DHCP lease of 192.0.2.5 not renewed: renewal was due 21 min 40 s ago; it expires in 8 min 20 s"},
      {3700, Status::critical, "eth0: DHCP lease of 192.0.2.5 expired 1 min 40 s ago and was not renewed"},
  };
  for (const auto& row : rows) {
    auto seen = healthy();
    seen.now = start + row.at;
    seen.leases->leases = {lease(start, 3600)};
    const auto r = build_result(o, seen);
    INFO(row.at << ": " << r.summary);
    CHECK(r.status == row.status);
    if (!row.summary.empty()) CHECK(r.summary == row.summary);
  }
}

TEST_CASE("network report: DHCP at all is a WARNING unless allowed and names the next renewal", "[network][report][dhcp]") {
  auto seen = healthy();
  const double start = seen.now - 100;
  seen.leases->leases = {lease(start, 86400)};
  const auto r = build_result(Options{}, seen);
  CHECK(r.status == Status::warning);
  CHECK(r.summary == "eth0 gets its address 192.0.2.5 by DHCP (dhclient): use a static address in production, or set allow_dhcp: true");
  CHECK(contains(r.details.front(), "next DHCP renewal: eth0 loses 192.0.2.5 if no DHCP server answers by "));
}

TEST_CASE("network report: an expired lease names the address gone while stale and foreign leases are ignored", "[network][report][dhcp]") {
  Options o;
  o.dhcp.allow = true;
  auto seen = healthy();
  seen.interfaces = std::vector<net::KernelInterface>{interface("eth0")};  // the address is gone
  Lease expired = lease(seen.now - 4000, 3600);
  Lease stale = lease(seen.now - 200'000, 3600);
  stale.interface = "eth0";
  Lease foreign = lease(seen.now - 10, 3600);
  foreign.interface = "wlan0";
  seen.leases->leases = {stale, expired, foreign};
  auto r = build_result(o, seen);
  CHECK(r.status == Status::critical);
  CHECK(r.summary == "eth0: DHCP lease of 192.0.2.5 expired 6 min 40 s ago and was not renewed (192.0.2.5 is gone from eth0)");
  std::string all;
  for (const auto& d : r.details) all += d + "\n";
  CHECK(contains(all, "no interface wlan0 here"));
  seen.leases->leases = {stale};
  r = build_result(o, seen);
  CHECK(r.status == Status::ok);
}

TEST_CASE("network report: dynamic addresses without a lease file and DHCP stanzas and unreadable lease files", "[network][report][dhcp]") {
  auto seen = healthy();
  seen.interfaces = std::vector<net::KernelInterface>{interface("eth0", {address("192.0.2.5", 24, 3000)})};
  auto r = build_result(Options{}, seen);
  CHECK(r.status == Status::warning);
  INFO(r.summary);
  CHECK(contains(r.summary, "eth0: 192.0.2.5/24 has a lifetime (50 min 0 s left) but no lease file was found"));
  seen.interfaces = std::vector<net::KernelInterface>{interface("eth0", {address("192.0.2.5", 24, 30)})};
  CHECK(build_result(Options{}, seen).status == Status::critical);

  seen = healthy();
  seen.hooks->dhcp_interfaces = {{"/etc/network/interfaces", 7, "eth1", "inet"}};
  r = build_result(Options{}, seen);
  CHECK(r.summary == "eth1 is configured for DHCP (/etc/network/interfaces:7): use a static address in production, or set allow_dhcp: true");

  seen = healthy();
  seen.leases->problems = {"/var/lib/dhcp/dhclient.leases: line 3: unterminated lease block"};
  r = build_result(Options{}, seen);
  CHECK(r.status == Status::unknown);
}

TEST_CASE("network report: hook findings are WARNINGs that say what breaks at the next reboot or renewal", "[network][report][hooks]") {
  auto seen = healthy();
  seen.hooks->commands_checked = 4;
  seen.hooks->findings = {{"/etc/network/interfaces", 12, "ip", "post-up", "'ip' is not on the PATH these hooks run with (/usr/bin:/bin): write /usr/sbin/ip"},
                          {"/etc/dhcp/dhclient-exit-hooks.d/vpn", 3, "/opt/vpn/up", "dhclient exit hook", "'/opt/vpn/up' does not exist"}};
  const auto r = build_result(Options{}, seen);
  CHECK(r.status == Status::warning);
  CHECK(contains(r.summary, "post-up at /etc/network/interfaces:12: 'ip' is not on the PATH"));
  CHECK(r.details.front() ==
        "Next reboot: post-up at /etc/network/interfaces:12 fails ('ip'); next DHCP renewal: dhclient exit hook at "
        "/etc/dhcp/dhclient-exit-hooks.d/vpn:3 fails ('/opt/vpn/up')");
  bool counted = false;
  for (const auto& m : r.measurements) counted = counted || (m.metric == "hsops_network_hook_problems" && m.value == 2);
  CHECK(counted);
}
