// What `checks.network` asks for, as plain values (config.cpp reads them).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "checks/network/hooks.h"
#include "core/units.h"
#include "net/ip_prefix.h"

namespace hsops::checks::network {

// `{to: 10.8.0.0/16, dev: tun0}` or `{to: ..., via: 10.1.0.1}`: traffic to `to` must leave by
// a route at least this specific (not fall through to the default), by that device/gateway.
struct ExpectedRoute {
  net::IpPrefix to;
  std::string dev;                  // "" = any device
  std::optional<net::IpPrefix> via;  // nullopt = any gateway (or none)
};

// `{address: 192.0.2.10, dev: eth0}`: the address (a service address, a VIP) must be on dev.
struct ExpectedAddress {
  net::IpPrefix address;             // a host address
  std::optional<int> prefix_length;  // given as 192.0.2.10/24: the interface's length must match
  std::string dev;
};

// `host:port` that must accept a TCP connection (a bridge's remote network, the database).
struct Peer {
  std::string host;
  int port = 0;
  std::string text() const { return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port); }
};

struct DhcpOptions {
  bool enabled = true;
  // The lesson of the outage: a production host should not get its address by DHCP at all.
  bool allow = false;
  // CRITICAL when a lease expires within this, or its renewal is overdue by more than the grace
  // (the client rewrites the lease file when a renewal succeeds).
  std::chrono::seconds expiry_within{std::chrono::minutes(10)};
  std::chrono::seconds renewal_grace{std::chrono::minutes(1)};
  // An expired lease older than this is history, not an outage (e.g. the interface is static now).
  std::chrono::seconds forget_expired_after{std::chrono::hours(24)};
  std::vector<std::filesystem::path> lease_paths;  // empty = default_lease_paths()
};

struct Options {
  std::vector<ExpectedRoute> routes;
  bool default_route = true;  // a default route (IPv4, main table) must exist
  std::vector<ExpectedAddress> addresses;
  std::vector<std::string> interfaces_up;
  std::vector<Peer> peers;
  Millis connect_timeout{3000};  // per peer; peers are tried at the same time
  DhcpOptions dhcp;
  bool hooks_enabled = true;
  HookSources hooks;
  Millis netlink_timeout{2000};
};

}  // namespace hsops::checks::network
