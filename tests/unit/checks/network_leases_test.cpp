#include <catch2/catch.hpp>

#include "checks/network/leases.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

using namespace hsops;
using namespace hsops::checks::network;

namespace {
const std::filesystem::path kFixtures = std::filesystem::path(HSOPS_FIXTURES_DIR) / "network" / "leases";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
std::vector<std::uint8_t> bytes_of(const std::filesystem::path& path) {
  const std::string s = slurp(path);
  return {s.begin(), s.end()};
}

const Lease* lease_for(const std::vector<Lease>& leases, DhcpClient client, const std::string& interface) {
  auto it = std::find_if(leases.begin(), leases.end(),
                         [&](const Lease& l) { return l.client == client && l.interface == interface; });
  return it == leases.end() ? nullptr : &*it;
}

// A DHCP reply as dhcpcd stores it: BOOTP header, magic cookie, options.
std::vector<std::uint8_t> dhcp_reply(std::vector<std::uint8_t> options) {
  std::vector<std::uint8_t> b(236, 0);
  b[0] = 2;
  b[16] = 10, b[17] = 1, b[18] = 2, b[19] = 3;
  for (std::uint8_t c : {99, 130, 83, 99}) b.push_back(c);
  b.insert(b.end(), options.begin(), options.end());
  return b;
}

InterfaceNameFn names(std::map<int, std::string> m) {
  return [m](int ifindex) {
    auto it = m.find(ifindex);
    return it == m.end() ? std::string() : it->second;
  };
}
}  // namespace

TEST_CASE("dhclient: the last lease block per interface wins and lease6 is skipped", "[network][leases]") {
  const std::string file = (kFixtures / "dhclient" / "dhclient.leases").string();
  auto leases = parse_dhclient_leases(slurp(file), file);
  REQUIRE(leases);
  REQUIRE(leases->size() == 2);
  const Lease* eth0 = lease_for(*leases, DhcpClient::dhclient, "eth0");
  REQUIRE(eth0);
  CHECK(eth0->address == "10.0.0.6");  // not 10.0.0.5 from the earlier block
  CHECK(eth0->router == "10.0.0.254");
  CHECK(eth0->file == file);
  CHECK(eth0->renew == Approx(1796325000));   // 2026-12-03 19:10:00 UTC
  CHECK(eth0->rebind == Approx(1796325240));  // 19:14:00
  CHECK(eth0->expiry == Approx(1796325300));  // 19:15:00
  CHECK(eth0->start == Approx(1796325300 - 600));  // expire - dhcp-lease-time

  const Lease* eth1 = lease_for(*leases, DhcpClient::dhclient, "eth1");
  REQUIRE(eth1);
  CHECK(eth1->address == "192.168.7.20");
  CHECK(eth1->router == "192.168.7.1");  // the first of the list
  CHECK(eth1->expiry == Approx(1796353200));
  CHECK(eth1->start == Approx(1796353200 - 43200));
}

TEST_CASE("dhclient: epoch times and never and the interface from the file name", "[network][leases]") {
  const std::string file = (kFixtures / "dhclient-epoch" / "dhclient.eth0.leases").string();
  auto leases = parse_dhclient_leases(slurp(file), file);
  REQUIRE(leases);
  REQUIRE(leases->size() == 2);
  const Lease* eth0 = lease_for(*leases, DhcpClient::dhclient, "eth0");
  REQUIRE(eth0);
  CHECK(eth0->address == "203.0.113.40");
  CHECK(eth0->router == "203.0.113.1");
  CHECK(eth0->renew == Approx(1796000000));
  CHECK(eth0->rebind == Approx(1796002700));
  CHECK(eth0->expiry == Approx(1796003600));
  CHECK(eth0->start == Approx(1796000000));

  const Lease* eth2 = lease_for(*leases, DhcpClient::dhclient, "eth2");
  REQUIRE(eth2);
  CHECK_FALSE(eth2->expiry);  // never
  CHECK_FALSE(eth2->renew);
  CHECK_FALSE(eth2->start);   // nothing to subtract the lease time from
}

TEST_CASE("dhclient: NetworkManager's dhclient file name gives the interface", "[network][leases]") {
  const std::string text = "lease {\n  fixed-address 10.3.0.4;\n  expire 4 2026/12/03 19:15:00;\n}\n";
  auto leases = parse_dhclient_leases(text, "/var/lib/NetworkManager/dhclient-6a0608c2-9d57-46d8-84d1-d2bbf6767acc-enp1s0.lease");
  REQUIRE(leases);
  REQUIRE(leases->size() == 1);
  CHECK(leases->front().interface == "enp1s0");
  CHECK(leases->front().router.empty());
  CHECK_FALSE(leases->front().start);  // no dhcp-lease-time
}

TEST_CASE("dhclient: truncated or garbled files are errors with the line", "[network][leases]") {
  auto truncated = parse_dhclient_leases("lease {\n  interface \"eth0\";\n  fixed-address 10.0.0.5;\n  renew 4 2026/", "f");
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().kind == ErrorKind::parse);
  CHECK(truncated.error().message.rfind("f: line ", 0) == 0);
  CHECK(truncated.error().message.find("truncated") != std::string::npos);

  auto bad_time = parse_dhclient_leases("lease {\n  fixed-address 10.0.0.5;\n  expire 4 2026/13/45 99:00:00;\n}\n", "f");
  REQUIRE_FALSE(bad_time);
  CHECK(bad_time.error().message == "f: line 3: expire: not a time dhclient writes");

  auto bad_address = parse_dhclient_leases("lease {\n  fixed-address 10.0.0;\n}\n", "f");
  REQUIRE_FALSE(bad_address);
  CHECK(bad_address.error().message == "f: line 2: fixed-address is not an IPv4 address");

  auto open_string = parse_dhclient_leases("lease {\n  interface \"eth0;\n}\n", "f");
  REQUIRE_FALSE(open_string);
  CHECK(open_string.error().message == "f: line 2: string not closed");

  CHECK_FALSE(parse_dhclient_leases("}\n", "f"));
  auto empty = parse_dhclient_leases("", "f");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("networkd: plain seconds and the first router and the mtime as start", "[network][leases]") {
  const std::string file = (kFixtures / "networkd" / "2").string();
  auto lease = parse_networkd_lease(slurp(file), file, "lan0", 1796000000);
  REQUIRE(lease);
  CHECK(lease->client == DhcpClient::networkd);
  CHECK(lease->interface == "lan0");
  CHECK(lease->address == "10.20.0.15");
  CHECK(lease->router == "10.20.0.1");
  CHECK(lease->start == Approx(1796000000));
  CHECK(lease->renew == Approx(1796000000 + 1800));
  CHECK(lease->rebind == Approx(1796000000 + 3150));
  CHECK(lease->expiry == Approx(1796000000 + 3600));
}

TEST_CASE("networkd: systemd time spans and T1 T2 derived from LIFETIME", "[network][leases]") {
  const std::string file = (kFixtures / "networkd" / "3").string();
  auto lease = parse_networkd_lease(slurp(file), file, "ifindex 3", 1000);
  REQUIRE(lease);
  CHECK(lease->address == "172.16.4.33");
  const double lifetime = 26 * 3600;  // "1d 2h"
  CHECK(lease->expiry == Approx(1000 + lifetime));
  CHECK(lease->renew == Approx(1000 + lifetime * 0.5));
  CHECK(lease->rebind == Approx(1000 + lifetime * 0.875));

  auto spans = parse_networkd_lease("ADDRESS=10.0.0.2\nT1=30min\nT2=52min 30s\nLIFETIME=1h\n", "f", "x", 0);
  REQUIRE(spans);
  CHECK(spans->renew == Approx(1800));
  CHECK(spans->rebind == Approx(3150));
  CHECK(spans->expiry == Approx(3600));

  auto infinite = parse_networkd_lease("ADDRESS=10.0.0.2\nLIFETIME=infinity\n", "f", "x", 5);
  REQUIRE(infinite);
  CHECK(infinite->start == Approx(5));
  CHECK_FALSE(infinite->expiry);
  CHECK_FALSE(infinite->renew);
}

TEST_CASE("networkd: broken files are errors", "[network][leases]") {
  auto no_address = parse_networkd_lease("ROUTER=10.0.0.1\nLIFETIME=600\n", "f", "x", 0);
  REQUIRE_FALSE(no_address);
  CHECK(no_address.error().message == "f: no ADDRESS= line");
  auto garbage = parse_networkd_lease("ADDRESS=10.0.0.2\n\x01\x02 garbage\n", "f", "x", 0);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().message == "f: line 2: not KEY=VALUE");
  auto bad_span = parse_networkd_lease("ADDRESS=10.0.0.2\nLIFETIME=12 parsecs\n", "f", "x", 0);
  REQUIRE_FALSE(bad_span);
  CHECK(bad_span.error().message == "f: line 2: LIFETIME=12 parsecs is not a duration");
  CHECK_FALSE(parse_networkd_lease("{\"Address\": \"10.0.0.2\"}\n", "f", "x", 0));
}

TEST_CASE("dhcpcd: the raw reply gives address and router and times from the mtime", "[network][leases]") {
  const std::string file = (kFixtures / "dhcpcd" / "eth0.lease").string();
  auto lease = parse_dhcpcd_lease(bytes_of(file), file, "eth0", 1796000000);
  REQUIRE(lease);
  CHECK(lease->client == DhcpClient::dhcpcd);
  CHECK(lease->address == "192.168.1.57");
  CHECK(lease->router == "192.168.1.1");
  CHECK(lease->start == Approx(1796000000));
  CHECK(lease->renew == Approx(1796000000 + 43200));
  CHECK(lease->rebind == Approx(1796000000 + 75600));
  CHECK(lease->expiry == Approx(1796000000 + 86400));
}

TEST_CASE("dhcpcd: without T1 and T2 they are derived from the lease time", "[network][leases]") {
  // Also written by an older dhcpcd: no end option.
  const std::string file = (kFixtures / "dhcpcd" / "wlan0-HomeNet.lease").string();
  auto lease = parse_dhcpcd_lease(bytes_of(file), file, "wlan0", 100);
  REQUIRE(lease);
  CHECK(lease->address == "10.1.2.3");
  CHECK(lease->router == "10.1.2.1");
  CHECK(lease->renew == Approx(100 + 3600));
  CHECK(lease->rebind == Approx(100 + 6300));
  CHECK(lease->expiry == Approx(100 + 7200));

  // Pads between options and an infinite lease.
  auto infinite = parse_dhcpcd_lease(dhcp_reply({0, 0, 51, 4, 0xff, 0xff, 0xff, 0xff, 255}), "f", "x", 7);
  REQUIRE(infinite);
  CHECK(infinite->start == Approx(7));
  CHECK_FALSE(infinite->expiry);
  CHECK_FALSE(infinite->renew);
}

TEST_CASE("dhcpcd: truncated and garbage messages are errors", "[network][leases]") {
  auto short_file = parse_dhcpcd_lease(std::vector<std::uint8_t>(100, 0), "f", "x", 0);
  REQUIRE_FALSE(short_file);
  CHECK(short_file.error().message == "f: truncated: 100 bytes, a DHCP message has at least 240");

  std::vector<std::uint8_t> no_cookie(300, 0x41);
  auto garbage = parse_dhcpcd_lease(no_cookie, "f", "x", 0);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().message == "f: byte 236: no DHCP magic cookie");

  auto cut_option = parse_dhcpcd_lease(dhcp_reply({51, 4, 0, 0, 2, 88, 3, 8, 10, 1}), "f", "x", 0);
  REQUIRE_FALSE(cut_option);
  CHECK(cut_option.error().message == "f: byte 246: option 3 runs past the end of the file (truncated?)");

  auto no_length = parse_dhcpcd_lease(dhcp_reply({51}), "f", "x", 0);
  REQUIRE_FALSE(no_length);
  CHECK(no_length.error().message.find("option 51 has no length") != std::string::npos);

  auto odd_time = parse_dhcpcd_lease(dhcp_reply({51, 2, 1, 1, 255}), "f", "x", 0);
  CHECK_FALSE(odd_time);

  auto no_address = dhcp_reply({255});
  no_address[16] = no_address[17] = no_address[18] = no_address[19] = 0;
  CHECK_FALSE(parse_dhcpcd_lease(no_address, "f", "x", 0));
}

TEST_CASE("NetworkManager: the device state file has no lease without a dhcp4 group", "[network][leases]") {
  const std::string plain = (kFixtures / "nm" / "devices" / "2").string();
  auto none = parse_network_manager_device(slurp(plain), plain, "enp1s0", 0);
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("no [dhcp4] group") != std::string::npos);

  const std::string file = (kFixtures / "nm" / "devices" / "5").string();
  auto lease = parse_network_manager_device(slurp(file), file, "enp7s0", 0);
  REQUIRE(lease);
  CHECK(lease->client == DhcpClient::network_manager);
  CHECK(lease->address == "192.168.122.167");
  CHECK(lease->router == "192.168.122.1");
  CHECK(lease->expiry == Approx(1796003600));
  CHECK(lease->start == Approx(1796003600 - 3600));
  CHECK(lease->renew == Approx(1796000000 + 1800));
  CHECK(lease->rebind == Approx(1796000000 + 3150));

  CHECK_FALSE(parse_network_manager_device("[dhcp4]\nip_address=10.0.0.1\nexpiry=soon\n", "f", "x", 0));
  CHECK_FALSE(parse_network_manager_device("[device\nmanaged=true\n", "f", "x", 0));
}

TEST_CASE("NetworkManager: the internal client's lease gives the address only", "[network][leases]") {
  const std::string file =
      (kFixtures / "nm" / "var" / "internal-1f2ea111-624b-32f6-8c93-12b2388516a6-enp1s0.lease").string();
  auto lease = parse_network_manager_internal_lease(slurp(file), file, "enp1s0");
  REQUIRE(lease);
  CHECK(lease->address == "192.168.122.179");
  CHECK_FALSE(lease->start);
  CHECK_FALSE(lease->expiry);
}

TEST_CASE("find_leases: a directory mixing formats with a pid file and broken files", "[network][leases]") {
  const auto scan = find_leases({kFixtures / "mixed", kFixtures / "does-not-exist"}, names({{2, "lan0"}}));

  CHECK(scan.leases.size() == 4);
  const Lease* eth0 = lease_for(scan.leases, DhcpClient::dhclient, "eth0");
  REQUIRE(eth0);
  CHECK(eth0->address == "10.0.0.6");
  CHECK(lease_for(scan.leases, DhcpClient::dhclient, "eth1"));

  const Lease* lan0 = lease_for(scan.leases, DhcpClient::networkd, "lan0");
  REQUIRE(lan0);
  CHECK(lan0->address == "10.20.0.15");
  REQUIRE(lan0->start);
  CHECK(*lan0->expiry - *lan0->start == Approx(3600));

  const Lease* wlan0 = lease_for(scan.leases, DhcpClient::dhcpcd, "wlan0");
  REQUIRE(wlan0);
  CHECK(wlan0->address == "10.1.2.3");
  CHECK(*wlan0->expiry - *wlan0->start == Approx(7200));

  // The pid file and NetworkManager's [device]-only state file (4) are no problem; these are.
  std::vector<std::string> problems = scan.problems;
  std::sort(problems.begin(), problems.end());
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].rfind((kFixtures / "mixed" / "7").string() + ": line 1: not KEY=VALUE", 0) == 0);
  CHECK(problems[1].rfind((kFixtures / "mixed" / "dhclient.eth9.leases").string() + ": line ", 0) == 0);
  CHECK(problems[2].rfind((kFixtures / "mixed" / "eth3.lease").string() + ": byte ", 0) == 0);
}

TEST_CASE("find_leases: one lease per client and interface and unknown ifindex", "[network][leases]") {
  // eth0 is in both dhclient.leases copies; wlan0 in both dhcpcd files.
  const auto scan = find_leases({kFixtures / "dhclient", kFixtures / "mixed" / "dhclient.leases",
                                 kFixtures / "dhcpcd", kFixtures / "mixed" / "wlan0.lease", kFixtures / "networkd",
                                 kFixtures / "nm" / "devices", kFixtures / "nm" / "var"},
                                names({}));
  CHECK(scan.problems.empty());
  auto count = [&](DhcpClient client, const std::string& interface) {
    return std::count_if(scan.leases.begin(), scan.leases.end(),
                         [&](const Lease& l) { return l.client == client && l.interface == interface; });
  };
  CHECK(count(DhcpClient::dhclient, "eth0") == 1);
  CHECK(count(DhcpClient::dhcpcd, "wlan0") == 1);
  CHECK(count(DhcpClient::dhcpcd, "eth0") == 1);
  CHECK(count(DhcpClient::networkd, "ifindex 2") == 1);
  CHECK(count(DhcpClient::networkd, "ifindex 3") == 1);
  CHECK(count(DhcpClient::network_manager, "ifindex 5") == 1);
  CHECK(count(DhcpClient::network_manager, "enp1s0") == 1);
  CHECK(scan.leases.size() == 8);  // + dhclient eth1
}

TEST_CASE("find_leases: the later start wins", "[network][leases]") {
  const auto dir = std::filesystem::temp_directory_path() / "hsops-leases-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("dhclient.a.leases", "lease {\n  interface \"eth0\";\n  fixed-address 10.0.0.9;\n"
                             "  option dhcp-lease-time 600;\n  expire epoch 2000;\n}\n");
  write("dhclient.b.leases", "lease {\n  interface \"eth0\";\n  fixed-address 10.0.0.8;\n"
                             "  option dhcp-lease-time 600;\n  expire epoch 1000;\n}\n");
  const auto scan = find_leases({dir}, names({}));
  std::filesystem::remove_all(dir);
  REQUIRE(scan.leases.size() == 1);
  CHECK(scan.leases[0].address == "10.0.0.9");
  CHECK(scan.leases[0].start == Approx(1400));
}

TEST_CASE("lease helpers: client names and default paths", "[network][leases]") {
  CHECK(to_string(DhcpClient::dhclient) == "dhclient");
  CHECK(to_string(DhcpClient::networkd) == "systemd-networkd");
  CHECK(to_string(DhcpClient::dhcpcd) == "dhcpcd");
  CHECK(to_string(DhcpClient::network_manager) == "NetworkManager");
  const auto paths = default_lease_paths();
  CHECK(std::find(paths.begin(), paths.end(), "/run/systemd/netif/leases") != paths.end());
  CHECK(interface_name_real(-1).empty());
}

TEST_CASE("every prefix of each fixture parses or fails without a crash", "[network][leases]") {
  // Truncation at any byte is what a crash mid-write or a full disk leaves behind.
  const auto dhclient = slurp(kFixtures / "dhclient" / "dhclient.leases");
  for (std::size_t n = 0; n <= dhclient.size(); ++n) (void)parse_dhclient_leases(dhclient.substr(0, n), "f");
  const auto networkd = slurp(kFixtures / "networkd" / "2");
  for (std::size_t n = 0; n <= networkd.size(); ++n) (void)parse_networkd_lease(networkd.substr(0, n), "f", "x", 0);
  const auto nm = slurp(kFixtures / "nm" / "devices" / "5");
  for (std::size_t n = 0; n <= nm.size(); ++n) (void)parse_network_manager_device(nm.substr(0, n), "f", "x", 0);
  const auto dhcpcd = bytes_of(kFixtures / "dhcpcd" / "eth0.lease");
  std::size_t failures = 0;
  for (std::size_t n = 0; n <= dhcpcd.size(); ++n)
    failures += !parse_dhcpcd_lease({dhcpcd.begin(), dhcpcd.begin() + static_cast<std::ptrdiff_t>(n)}, "f", "x", 0);
  CHECK(failures > 240);  // everything shorter than the header, and cuts inside an option
  // Bytes that are no format at all.
  std::string noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) noise += static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  (void)parse_dhclient_leases(noise, "f");
  (void)parse_networkd_lease(noise, "f", "x", 0);
  (void)parse_network_manager_device(noise, "f", "x", 0);
  CHECK_FALSE(parse_dhcpcd_lease({noise.begin(), noise.end()}, "f", "x", 0));
}
