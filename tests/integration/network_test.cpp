// `hsops check network` run inside network namespaces this test makes (tests/support/netns.h):
// real routes changed with iproute2, a real firewall (nft) black-holing a port, and a real DHCP
// server (dnsmasq) and client (isc-dhcp-client) whose lease runs out. No packet leaves the
// namespaces; they are removed on every exit path.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/child_process.h"
#include "support/netns.h"
#include "support/temp_dir.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using hsops::test::NetnsPair;
using hsops::test::shell;
using hsops::test::shell_ok;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

struct Verdict {
  std::string status;
  std::string summary;
  std::string details;  // every detail line, joined
  nlohmann::json check;
};

// Runs the check inside the namespace with the given checks.network section.
Verdict check_in(const std::string& ns, const fs::path& dir, const std::string& section, std::chrono::seconds deadline = 30s) {
  const fs::path config = dir / "hsops.yaml";
  std::ofstream(config) << "checks:\n  network:\n" << section;
  int status = 0;
  const std::string out = shell("ip netns exec " + ns + " env HSOPS_CONFIG= " + kHsops + " --config " + config.string() +
                                    " check network --format json 2>/dev/null",
                                status, deadline);
  INFO(out);
  REQUIRE(status >= 0);
  const auto doc = nlohmann::json::parse(out);
  Verdict v;
  v.check = doc.at("checks").at(0);
  v.status = v.check.at("status");
  v.summary = v.check.at("summary");
  for (const auto& line : v.check.at("details")) v.details += line.get<std::string>() + "\n";
  return v;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Polls the check until `done` holds or `limit` passes; returns the last verdict.
template <typename Pred>
Verdict wait_for(const std::string& ns, const fs::path& dir, const std::string& section, std::chrono::seconds limit, Pred done) {
  const auto until = std::chrono::steady_clock::now() + limit;
  Verdict v = check_in(ns, dir, section);
  while (!done(v) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(2s);
    v = check_in(ns, dir, section);
  }
  return v;
}

}  // namespace

TEST_CASE("network: a route removed or moved to another device is CRITICAL and named and then OK again", "[network][integration]") {
  hsops::test::TempDir dir;
  NetnsPair ns("hsops-it-route", "10.203.0.1/24", "10.203.0.2/24");
  shell_ok(ns.ip_b() + "route add default via 10.203.0.1");
  // A second device in b (a veth pair: not every kernel has the dummy module).
  shell_ok(ns.ip_b() + "link add veth-c type veth peer name veth-d && " + ns.ip_b() + "link set veth-c up && " + ns.ip_b() + "link set veth-d up");
  shell_ok(ns.ip_b() + "route add 10.8.0.0/16 via 10.203.0.1 dev veth-b");
  const std::string common =
      "    routes:\n"
      "      - {to: 10.8.0.0/16, dev: veth-b, via: 10.203.0.1}\n"
      "    interfaces_up: [veth-b]\n"
      "    dhcp: {enabled: false}\n"
      "    hooks: {enabled: false}\n";
  const std::string section = common + "    addresses: [{address: 10.203.0.2/24, dev: veth-b}]\n";

  auto v = check_in(ns.b(), dir.path(), section);
  INFO(v.summary << "\n" << v.details);
  CHECK(v.status == "OK");
  CHECK(contains(v.details, "route 10.8.0.0/16: 10.8.0.0/16 via 10.203.0.1 dev veth-b"));

  shell_ok(ns.ip_b() + "route del 10.8.0.0/16");
  v = check_in(ns.b(), dir.path(), section);
  INFO(v.summary);
  CHECK(v.status == "CRITICAL");
  CHECK(contains(v.summary, "route 10.8.0.0/16 missing: traffic would take default via 10.203.0.1 dev veth-b"));

  shell_ok(ns.ip_b() + "route add 10.8.0.0/16 dev veth-c");
  v = check_in(ns.b(), dir.path(), section);
  INFO(v.summary);
  CHECK(v.status == "CRITICAL");
  CHECK(contains(v.summary, "route 10.8.0.0/16 leaves by veth-c, expected veth-b"));

  shell_ok(ns.ip_b() + "route replace 10.8.0.0/16 via 10.203.0.1 dev veth-b");
  v = check_in(ns.b(), dir.path(), section);
  INFO(v.summary);
  CHECK(v.status == "OK");

  // The default route is required unless configured otherwise; the VIP must be on its device.
  shell_ok(ns.ip_b() + "route del default");
  v = check_in(ns.b(), dir.path(), common + "    addresses: [{address: 10.203.0.9, dev: veth-b}]\n");
  INFO(v.summary);
  CHECK(v.status == "CRITICAL");
  CHECK(contains(v.summary, "no IPv4 default route"));
  CHECK(contains(v.summary, "address 10.203.0.9 is not on veth-b"));
  shell_ok(ns.ip_b() + "link set veth-b down");
  v = check_in(ns.b(), dir.path(), section);
  CHECK(contains(v.summary, "interface veth-b is down"));
}

TEST_CASE("network: a peer behind a firewall that drops SYNs ends at connect_timeout as CRITICAL", "[network][integration]") {
  hsops::test::TempDir dir;
  NetnsPair ns("hsops-it-peer", "10.203.1.1/24", "10.203.1.2/24");
  // A listener on 5432 in a, and nft dropping every SYN to 6697 there: a black hole, as a
  // firewall on the way makes one.
  const int listener = NetnsPair::listen_in(ns.a(), "10.203.1.1", 5432);
  shell_ok(ns.exec_a() + "nft add table inet hsops && " + ns.exec_a() +
           "nft add chain inet hsops input '{ type filter hook input priority 0 ; }' && " + ns.exec_a() +
           "nft add rule inet hsops input tcp dport 6697 drop");
  const std::string section =
      "    peers: [10.203.1.1:6697, 10.203.1.1:5432, 10.203.1.1:7000]\n"
      "    connect_timeout: 1500ms\n"
      "    default_route: false\n"
      "    dhcp: {enabled: false}\n"
      "    hooks: {enabled: false}\n";
  auto v = check_in(ns.b(), dir.path(), section);
  ::close(listener);
  INFO(v.summary << "\n" << v.details);
  CHECK(v.status == "CRITICAL");
  CHECK(contains(v.summary, "peer 10.203.1.1:6697: no answer within"));
  CHECK(contains(v.summary, "(dropped on the way: a black hole or a firewall) via 10.203.1.1 dev veth-b src 10.203.1.2"));
  CHECK(contains(v.summary, "peer 10.203.1.1:7000: refused"));
  CHECK(contains(v.details, "peer 10.203.1.1:5432 (10.203.1.1): connected in"));
  double black_hole_seconds = -1;
  for (const auto& m : v.check.at("measurements")) {
    if (m.at("label") == "peer 10.203.1.1:6697 connect") black_hole_seconds = m.at("value");
  }
  WARN("black-holed connect ended after " << black_hole_seconds << " s (connect_timeout 1.5 s)");
  CHECK(black_hole_seconds >= 1.4);
  CHECK(black_hole_seconds < 2.5);
}

// dnsmasq's shortest lease is 2 minutes (T1 60 s, T2 105 s), so this waits for real time: about
// 3 minutes in all. One test on purpose.
TEST_CASE("network: a real DHCP lease runs out when the server stops and comes back when it returns (takes about 3 minutes)",
          "[network][integration][dhcp]") {
  hsops::test::TempDir dir;
  NetnsPair ns("hsops-it-dhcp", "10.203.2.1/24", "");
  // The client's /etc/dhcp inside b: dhclient.conf that retries quickly once the server is back,
  // and an exit hook that adds the route to the "bridge hosts" when a lease is bound.
  const fs::path etc_dhcp = ns.etc_of(ns.b()) / "dhcp";
  fs::create_directories(etc_dhcp / "dhclient-exit-hooks.d");
  std::ofstream(etc_dhcp / "dhclient.conf") << "timeout 300;\nretry 5;\ninitial-interval 1;\nbackoff-cutoff 2;\n"
                                               "request subnet-mask, broadcast-address, routers;\n";
  std::ofstream(etc_dhcp / "dhclient-exit-hooks.d" / "bridge-route")
      << "case \"$reason\" in\n"
         "  BOUND|RENEW|REBIND|REBOOT) ip route replace 10.8.0.0/16 via \"${new_routers%% *}\" dev \"$interface\" ;;\n"
         "esac\n";
  // `exec` keeps the pid, so killing the child kills the server itself (ip netns exec execs too).
  const std::vector<std::string> dnsmasq{
      "/bin/sh", "-c",
      "exec ip netns exec " + ns.a() + " dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=veth-a "
      "--bind-interfaces --dhcp-range=10.203.2.100,10.203.2.150,255.255.255.0,2m --dhcp-option=option:router,10.203.2.1 "
      "--dhcp-leasefile=" + (dir.path() / "dnsmasq.leases").string() + " --pid-file=" + (dir.path() / "dnsmasq.pid").string() +
      " --log-dhcp --log-facility=- --user=root"};
  auto server = std::make_unique<hsops::test::ChildProcess>(dnsmasq, dir.path() / "dnsmasq.log");
  const fs::path leases = dir.path() / "dhclient.leases";
  hsops::test::ChildProcess client({"/bin/sh", "-c", "exec " + ns.exec_b() + "dhclient -d -v -4 -cf /etc/dhcp/dhclient.conf -lf " +
                                                          leases.string() + " -pf " + (dir.path() / "dhclient.pid").string() + " veth-b"},
                                   dir.path() / "dhclient.log");
  const std::string section =
      "    routes: [{to: 10.8.0.0/16, via: 10.203.2.1}]\n"
      "    default_route: false\n"
      "    allow_dhcp: true\n"
      "    dhcp: {lease_paths: [" + leases.string() + "], expiry_within: 15s, renewal_grace: 10s}\n"
      "    hooks: {interfaces_files: [], dhclient_hooks: [" + (etc_dhcp / "dhclient-exit-hooks.d").string() + "]}\n";

  auto bound = [](const Verdict& v) { return v.status == "OK"; };
  auto v = wait_for(ns.b(), dir.path(), section, 60s, bound);
  INFO(v.summary << "\n" << v.details);
  REQUIRE(v.status == "OK");
  CHECK(contains(v.details, "dhclient lease of 10.203.2."));
  CHECK(contains(v.details, ", renew 20"));
  CHECK(contains(v.details, ", expires 20"));
  CHECK(contains(v.details, "hooks: 1 command checked, 0 will not run"));
  // Without allow_dhcp the same host is a WARNING: the lesson of the outage.
  std::string strict = section;
  strict.replace(strict.find("allow_dhcp: true"), 16, "allow_dhcp: false");
  CHECK(check_in(ns.b(), dir.path(), strict).status == "WARNING");

  server.reset();  // the DHCP server goes away
  const auto stopped = std::chrono::steady_clock::now();
  v = wait_for(ns.b(), dir.path(), section, 120s, [](const Verdict& x) { return x.status == "CRITICAL"; });
  INFO(v.summary << "\n" << v.details);
  REQUIRE(v.status == "CRITICAL");
  CHECK(contains(v.summary, "veth-b: DHCP lease of 10.203.2."));
  WARN("CRITICAL " << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - stopped).count()
                   << " s after the server stopped: " << v.summary);

  v = wait_for(ns.b(), dir.path(), section, 150s,
               [](const Verdict& x) { return contains(x.summary, "expired") && contains(x.summary, "route 10.8.0.0/16"); });
  INFO(v.summary << "\n" << v.details);
  CHECK(v.status == "CRITICAL");
  CHECK(contains(v.summary, "expired"));
  CHECK(contains(v.summary, "is gone from veth-b"));
  CHECK(contains(v.summary, "route 10.8.0.0/16"));
  CHECK(contains(v.details, "next DHCP renewal: veth-b has no address until a DHCP server answers"));

  server = std::make_unique<hsops::test::ChildProcess>(dnsmasq, dir.path() / "dnsmasq-2.log");
  v = wait_for(ns.b(), dir.path(), section, 90s, bound);
  INFO(v.summary << "\n" << v.details);
  CHECK(v.status == "OK");
}

// Runs last (Catch keeps declaration order): whatever failed above, its namespaces and
// /etc/netns entries were removed on the way out.
TEST_CASE("network: no test namespace is left behind", "[network][integration]") {
  int status = 0;
  const std::string left = shell("ip netns list | grep '^hsops-it-' || true; ls -d /etc/netns/hsops-it-* 2>/dev/null || true", status);
  CHECK(status == 0);
  CHECK(left.empty());
}
