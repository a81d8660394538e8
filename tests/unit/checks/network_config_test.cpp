#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "checks/network/config.h"

using namespace hsops;
using namespace std::chrono_literals;

namespace {

checks::Services services(const Clock& clock, std::optional<Millis> timeout = {}) {
  return checks::Services{.clock = clock, .timeout = timeout};
}

checks::network::Options read(const std::string& section_text, std::optional<Millis> timeout = {}) {
  const FakeClock clock;
  const auto doc = config::Document::parse("checks:\n  network:\n" + section_text, "hsops.yaml");
  return checks::read_network_options(doc.root().child("checks").child("network"), services(clock, timeout));
}

// The shipped example with every commented key line uncommented.
std::string uncommented(std::string_view example) {
  std::istringstream in{std::string(example)};
  std::string text, line;
  const std::regex key_line(R"(^# ( *)((- )?[a-z_]+:.*)$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, key_line)) text += "    " + m[1].str() + m[2].str() + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("network config: the shipped example parses and means what it says", "[network][config]") {
  const auto o = read(uncommented(checks::network_check_info().example));
  REQUIRE(o.routes.size() == 2);
  CHECK(o.routes[0].to.text() == "10.8.0.0/16");
  CHECK(o.routes[0].dev == "tun0");
  CHECK(o.routes[1].via->text() == "10.1.0.1");
  CHECK(o.default_route);
  REQUIRE(o.addresses.size() == 1);
  CHECK(o.addresses[0].address.text() == "192.0.2.10");
  CHECK(o.interfaces_up == std::vector<std::string>{"eth0", "tun0"});
  REQUIRE(o.peers.size() == 2);
  CHECK(o.peers[0].host == "irc.example.org");
  CHECK(o.peers[0].port == 6697);
  CHECK(o.connect_timeout == 3s);
  CHECK_FALSE(o.dhcp.allow);
  CHECK(o.dhcp.expiry_within == 10min);
  CHECK(o.dhcp.renewal_grace == 1min);
  CHECK(o.dhcp.forget_expired_after == 24h);
  CHECK(o.dhcp.lease_paths.size() == 5);
  CHECK(o.hooks.ifupdown_path == checks::network::kIfupdownPath);
  CHECK(o.hooks.dhclient_path == checks::network::kDhclientPath);
  CHECK(o.hooks.dhclient_hooks.size() == 4);
}

TEST_CASE("network config: defaults with an empty section", "[network][config]") {
  const auto o = read("    peers: []\n");
  CHECK(o.routes.empty());
  CHECK(o.default_route);
  CHECK(o.dhcp.enabled);
  CHECK(o.dhcp.lease_paths.empty());  // the check then reads the Debian defaults
  CHECK(o.hooks_enabled);
  CHECK(o.hooks.interfaces_files == std::vector<std::filesystem::path>{"/etc/network/interfaces"});
}

TEST_CASE("network config: -t caps connect_timeout", "[network][config]") {
  CHECK(read("    connect_timeout: 5s\n", Millis(1500)).connect_timeout == 1500ms);
  CHECK(read("    connect_timeout: 1s\n", Millis(1500)).connect_timeout == 1s);
}

TEST_CASE("network config: bad values are errors with file line and column", "[network][config]") {
  struct Row {
    std::string section;
    std::string message;
  };
  const std::vector<Row> rows{
      {"    routes: [{to: 10.8.0.1/16, dev: tun0}]\n", "hsops.yaml:3:19: checks.network.routes[0].to: '10.8.0.1/16' has host bits set: did you mean 10.8.0.0/16?"},
      {"    routes: [{to: 10.8.0.0/16}]\n", "says neither `dev` nor `via`"},
      {"    routes: [{dev: tun0}]\n", "is required: the destination"},
      {"    routes: [{to: 10.8.0.0/16, via: 10.1.0.0/24}]\n", "is a prefix; a gateway is one address"},
      {"    routes: [{to: 10.8.0.0/16, via: 'fe80::1'}]\n", "is not the same IP version as 'to'"},
      {"    routes: [{to: 10.8.0.0/33, dev: tun0}]\n", "the prefix length must be 0 to 32"},
      {"    routes: [{to: tun0, dev: tun0}]\n", "'tun0' is not an IPv4 or IPv6 address or prefix"},
      {"    routes: [{to: 10.8.0.0/16, device: tun0}]\n", "device"},
      {"    addresses: [{address: 192.0.2.10/40, dev: eth0}]\n", "the prefix length must be 0 to 32"},
      {"    addresses: [{address: 192.0.2.10}]\n", "is required: the interface the address must be on"},
      {"    peers: [irc.example.org]\n", "'irc.example.org' is not host:port"},
      {"    peers: ['irc.example.org:99999']\n", "is not host:port"},
      {"    peers: ['2001:db8::1:5432']\n", "is not host:port"},
      {"    dhcp: {lease_paths: [var/lib/dhcp]}\n", "'var/lib/dhcp' is not an absolute path"},
      {"    dhcp: {expiry: 10m}\n", "expiry"},
      {"    hooks: {path: /bin}\n", "path"},
      {"    connect_timeout: 0s\n", "connect_timeout"},
  };
  for (const auto& row : rows) {
    INFO(row.section);
    CHECK_THROWS_WITH(read(row.section), Catch::Contains(row.message));
  }
}

TEST_CASE("network config: IPv6 peers and prefixes", "[network][config]") {
  const auto o = read("    peers: ['[2001:db8::1]:5432']\n    routes: [{to: '2001:db8::/32', via: 'fe80::1', dev: eth0}]\n");
  CHECK(o.peers[0].host == "2001:db8::1");
  CHECK(o.peers[0].port == 5432);
  CHECK(o.peers[0].text() == "[2001:db8::1]:5432");
  CHECK(o.routes[0].to.text() == "2001:db8::/32");
}
