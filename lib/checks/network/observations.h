// What one run of the network check saw, gathered by check.cpp and judged by report.cpp, so the
// verdicts are tested on plain values without a kernel, a DHCP client or a network.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/network/hooks.h"
#include "checks/network/leases.h"
#include "checks/network/options.h"
#include "core/result.h"
#include "net/rtnetlink.h"

namespace hsops::checks::network {

struct RouteSeen {
  ExpectedRoute want;
  Result<net::KernelRoute> route = Error{ErrorKind::internal, "not looked up"};  // the fib match for want.to
};

struct PeerSeen {
  Peer peer;
  std::optional<Error> failure;   // nullopt: connected
  double connect_seconds = 0;     // time to connect, or to give up
  std::string address;            // the address connected to (or last tried), "" when unresolved
  std::optional<Result<net::KernelRoute>> route;  // the route the kernel picks for `address`
};

struct Observations {
  double now = 0;  // unix seconds
  Result<std::vector<net::KernelInterface>> interfaces = Error{ErrorKind::internal, "not listed"};
  Result<std::vector<net::KernelRoute>> ipv4_routes = Error{ErrorKind::internal, "not listed"};
  std::vector<RouteSeen> routes;
  std::vector<PeerSeen> peers;
  std::optional<LeaseScan> leases;  // nullopt: the DHCP part is off
  std::optional<HookLint> hooks;    // nullopt: hook lint is off
};

}  // namespace hsops::checks::network
