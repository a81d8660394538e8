// Gathers Observations in the current network namespace; every part has its own deadline and
// peers are tried at the same time, so the run takes about one connect_timeout at most.
#include "checks/network/check.h"

#include <future>

#include "checks/network/report.h"
#include "net/tcp_connect.h"

namespace hsops::checks::network {
namespace {

using Steady = std::chrono::steady_clock;

PeerSeen try_peer(const Peer& peer, Millis timeout, Millis netlink_timeout) {
  PeerSeen seen;
  seen.peer = peer;
  const auto started = Steady::now();
  const auto deadline = started + timeout;
  auto addresses = net::resolve(peer.host, std::to_string(peer.port), SOCK_STREAM, deadline);
  if (addresses && !addresses->empty()) {
    const net::SocketAddress& first = addresses->front();
    seen.address = first.host_text();
    if (auto ip = net::parse_ip_prefix(seen.address)) seen.route = net::lookup_route(ip.value(), false, netlink_timeout);
    auto connected = net::connect_tcp(addresses.value(), deadline);
    if (connected) {
      seen.address = connected->peer().host_text();
    } else {
      seen.failure = connected.error();
    }
  } else {
    seen.failure = addresses ? Error{ErrorKind::dns, "cannot resolve " + peer.host + ": no address"} : addresses.error();
  }
  seen.connect_seconds = std::chrono::duration<double>(Steady::now() - started).count();
  return seen;
}

class NetworkCheck final : public Check {
 public:
  NetworkCheck(Options options, const Clock& clock) : options_(std::move(options)), clock_(clock) {}
  std::string name() const override { return "network"; }

  CheckResult run() override {
    Observations seen;
    seen.now = unix_seconds(clock_.now());
    // Peers first, in the background: they are the only part that waits on the network.
    std::vector<std::future<PeerSeen>> peers;
    for (const auto& p : options_.peers) {
      peers.push_back(std::async(std::launch::async, try_peer, p, options_.connect_timeout, options_.netlink_timeout));
    }
    seen.interfaces = net::list_interfaces(options_.netlink_timeout);
    if (options_.default_route) seen.ipv4_routes = net::list_routes(AF_INET, options_.netlink_timeout);
    for (const auto& want : options_.routes) {
      RouteSeen r{want};
      r.route = net::lookup_route(want.to, true, options_.netlink_timeout);
      seen.routes.push_back(std::move(r));
    }
    if (options_.dhcp.enabled) {
      const auto paths = options_.dhcp.lease_paths.empty() ? default_lease_paths() : options_.dhcp.lease_paths;
      seen.leases = find_leases(paths, interface_name_real);
    }
    if (options_.hooks_enabled) seen.hooks = lint_hooks(options_.hooks);
    for (auto& p : peers) seen.peers.push_back(p.get());
    return build_result(options_, seen);
  }

 private:
  Options options_;
  const Clock& clock_;
};

}  // namespace

std::shared_ptr<Check> make_network_check(Options options, const Clock& clock) {
  return std::make_shared<NetworkCheck>(std::move(options), clock);
}

}  // namespace hsops::checks::network
