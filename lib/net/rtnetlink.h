// What the kernel says about routes, interfaces and addresses in the current network
// namespace, read through rtnetlink (libmnl) as iproute2 does, never by parsing `ip` output.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/ip_prefix.h"

namespace hsops::net {

// One route, as `ip route get` / `ip route show` would print it.
struct KernelRoute {
  IpPrefix destination;  // the table entry's prefix (a fib match), or the address asked for
  std::string type;      // "unicast", "local", "blackhole", "unreachable", "prohibit", ...
  std::string dev;       // outgoing interface, "" when none (blackhole, or only nexthops)
  std::string via;       // gateway, "" when the destination is on-link
  std::string source;    // preferred source address, "" when not set
  int table = 0;         // 254 = main
  bool multipath = false;  // several nexthops: dev/via are the first one's

  // "10.8.0.0/16 dev tun0", "default via 10.1.0.1 dev eth0", "blackhole 10.9.0.0/16".
  std::string text() const;
};

// Which route the kernel would pick for `address` (RTM_GETROUTE). With fib_match the answer
// is the matching table entry with its real prefix (`ip route get fibmatch`), so a lookup that
// falls through to the default route shows up as "0.0.0.0/0"; without it, the answer carries
// the preferred source (`ip route get`). An unroutable address is ErrorKind::network with the
// kernel's reason ("Network is unreachable").
Result<KernelRoute> lookup_route(const IpPrefix& address, bool fib_match, std::chrono::milliseconds timeout);

// Every route of one family (AF_INET or AF_INET6) in every table (RTM_GETROUTE dump).
Result<std::vector<KernelRoute>> list_routes(int family, std::chrono::milliseconds timeout);

struct InterfaceAddress {
  IpPrefix address;  // with the interface's prefix length
  bool permanent = true;  // false: it has a lifetime (DHCP, SLAAC) and goes away unless renewed
  std::optional<std::uint32_t> valid_seconds;  // remaining valid lifetime when not permanent
};

struct KernelInterface {
  int index = 0;
  std::string name;
  bool admin_up = false;  // IFF_UP: `ip link set X up`
  bool lower_up = false;  // IFF_RUNNING / IFF_LOWER_UP: carrier
  std::string oper_state;  // "up", "down", "unknown", "dormant", ...
  std::vector<InterfaceAddress> addresses;
};

// Every interface with its addresses (RTM_GETLINK and RTM_GETADDR dumps).
Result<std::vector<KernelInterface>> list_interfaces(std::chrono::milliseconds timeout);

}  // namespace hsops::net
