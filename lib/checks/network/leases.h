// DHCP leases as the DHCP clients Debian ships record them on disk: isc-dhcp-client
// (dhclient*.leases), systemd-networkd (/run/systemd/netif/leases/<ifindex>), dhcpcd
// (/var/lib/dhcpcd/<iface>.lease, the raw DHCP reply) and NetworkManager
// (/run/NetworkManager/devices/<ifindex>). Parsing only: the network check judges them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hsops::checks::network {

enum class DhcpClient { dhclient, networkd, dhcpcd, network_manager };
// "dhclient", "systemd-networkd", "dhcpcd", "NetworkManager"
std::string_view to_string(DhcpClient client);

// One interface's current lease. Times are unix seconds (UTC); a time the file does not give
// and cannot be derived stays nullopt.
struct Lease {
  DhcpClient client = DhcpClient::dhclient;
  std::string file;       // the file it was read from
  std::string interface;  // e.g. "eth0"
  std::string address;    // the leased IPv4 address, dotted quad
  std::string router;     // first router (option 3), "" when none
  std::optional<double> start;   // when the lease was obtained or last renewed
  std::optional<double> renew;   // T1: the client should have renewed by then
  std::optional<double> rebind;  // T2
  std::optional<double> expiry;  // the address must be given up then
};

// ifindex -> interface name in the current network namespace ("" when unknown); tests pass a map.
using InterfaceNameFn = std::function<std::string(int ifindex)>;
std::string interface_name_real(int ifindex);  // if_indextoname

// What find_leases read: the leases, and one line per file that exists but could not be used
// ("<file>: <why>"), so a broken lease file is reported, never silently ignored.
struct LeaseScan {
  std::vector<Lease> leases;
  std::vector<std::string> problems;
};

// The places Debian's clients keep leases: /var/lib/dhcp, /run/systemd/netif/leases,
// /var/lib/dhcpcd, /run/NetworkManager/devices, /var/lib/NetworkManager.
std::vector<std::filesystem::path> default_lease_paths();

// Reads each path (a file, or a directory whose files are read; missing paths are skipped
// quietly) and recognises each file's format by name and content. One lease per
// (client, interface): the newest in the file.
LeaseScan find_leases(const std::vector<std::filesystem::path>& paths, const InterfaceNameFn& interface_name);

// The parsers, pure, for tests. `file` is used in Lease::file and in messages; `modified` is
// the file's mtime in unix seconds (networkd and dhcpcd store durations, not times: the file is
// rewritten at every renewal, so its mtime is the lease start).
// dhclient: every `lease { ... }` block; the last one per interface wins. Handles both time
// forms: `renew 4 2026/12/05 19:10:00;` (UTC) and `renew epoch 1796… ; # comment`.
Result<std::vector<Lease>> parse_dhclient_leases(std::string_view text, const std::string& file);
// networkd: KEY=VALUE lines (ADDRESS, ROUTER, T1, T2, LIFETIME in seconds).
Result<Lease> parse_networkd_lease(std::string_view text, const std::string& file, const std::string& interface,
                                   double modified);
// dhcpcd: the raw BOOTP/DHCP message (yiaddr, options 3, 51, 58, 59).
Result<Lease> parse_dhcpcd_lease(const std::vector<std::uint8_t>& bytes, const std::string& file,
                                 const std::string& interface, double modified);
// NetworkManager: the keyfile /run/NetworkManager/devices/<ifindex>, its [dhcp4] section.
// NetworkManager itself writes only a [device] group there (no lease): such a file is an error
// here, and find_leases skips it quietly.
Result<Lease> parse_network_manager_device(std::string_view text, const std::string& file,
                                           const std::string& interface, double modified);
// NetworkManager's own DHCP client: /var/lib/NetworkManager/internal-<uuid>-<iface>.lease, a
// KEY=VALUE file holding only ADDRESS=; the address is all it tells (times stay nullopt).
Result<Lease> parse_network_manager_internal_lease(std::string_view text, const std::string& file,
                                                   const std::string& interface);

}  // namespace hsops::checks::network
