// Routes, addresses, interfaces, peers and hooks judged here; DHCP in dhcp_verdict.cpp.
// A part that cannot be read (netlink error, DNS failure, unreadable file) is UNKNOWN for that
// part, never OK.
#include "checks/network/report.h"

#include <algorithm>

#include "checks/common/measurement.h"
#include "checks/network/dhcp_verdict.h"
#include "core/units.h"

namespace hsops::checks::network {

std::string utc_text(double unix_seconds) { return format_utc(unix_seconds); }

namespace {

const net::KernelInterface* find_interface(const std::vector<net::KernelInterface>& interfaces, const std::string& name) {
  for (const auto& i : interfaces) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

Measurement flag(std::string label, bool value, std::string metric, std::string help,
                 std::map<std::string, std::string> labels) {
  Measurement m = measurement(std::move(label), value ? 1 : 0, "", std::move(metric), std::move(help), std::move(labels));
  m.min = 0;
  m.max = 1;
  return m;
}

void judge_interfaces(const Options& o, const std::vector<net::KernelInterface>& interfaces, Findings& out) {
  for (const auto& name : o.interfaces_up) {
    const auto* i = find_interface(interfaces, name);
    const bool up = i != nullptr && i->admin_up && i->lower_up;
    out.measurements.push_back(flag(name + " up", up, "hsops_network_interface_up",
                                    "1 if a configured interface exists, is up and has carrier", {{"interface", name}}));
    if (i == nullptr) {
      out.add(Status::critical, "interface " + name + " does not exist");
    } else if (!i->admin_up) {
      out.add(Status::critical, "interface " + name + " is down");
    } else if (!i->lower_up) {
      out.add(Status::critical, "interface " + name + " is up but has no carrier (operstate " + i->oper_state + ")");
    } else {
      out.details.push_back("interface " + name + ": up");
    }
  }
  for (const auto& want : o.addresses) {
    const std::string text = want.address.address_text();
    const net::InterfaceAddress* found = nullptr;
    std::string elsewhere;
    for (const auto& i : interfaces) {
      for (const auto& a : i.addresses) {
        if (a.address.address_text() != text) continue;
        if (i.name == want.dev) found = &a;
        else elsewhere = i.name;
      }
    }
    const bool length_ok = found != nullptr && (!want.prefix_length || found->address.length == *want.prefix_length);
    out.measurements.push_back(flag(text + " on " + want.dev, length_ok, "hsops_network_address_present",
                                    "1 if a configured address is on its interface (with its prefix length, when configured)",
                                    {{"address", text}, {"interface", want.dev}}));
    if (found == nullptr) {
      out.add(Status::critical, "address " + text + " is not on " + want.dev + (elsewhere.empty() ? "" : " (it is on " + elsewhere + ")"));
    } else if (!length_ok) {
      out.add(Status::critical, "address " + text + " on " + want.dev + " has prefix length " +
                                    std::to_string(found->address.length) + ", expected " + std::to_string(*want.prefix_length));
    } else {
      out.details.push_back("address " + found->address.text() + " on " + want.dev);
    }
  }
}

// Why a route found for want.to is not the expected one; "" when it is.
std::string route_mismatch(const ExpectedRoute& want, const net::KernelRoute& got) {
  if (got.destination.length < want.to.length) return "missing: traffic would take " + got.text();
  // "local" is delivered on this host (127.0.0.0/8 dev lo, a VIP): as good as unicast.
  if (got.type != "unicast" && got.type != "local") return "is " + got.text();
  if (!want.dev.empty() && got.dev != want.dev) return "leaves by " + (got.dev.empty() ? std::string("no device") : got.dev) + ", expected " + want.dev + " (" + got.text() + ")";
  if (want.via && got.via != want.via->address_text()) {
    return "goes " + (got.via.empty() ? std::string("on-link") : "via " + got.via) + ", expected via " + want.via->address_text() + " (" + got.text() + ")";
  }
  return "";
}

void judge_routes(const Options& o, const Observations& seen, Findings& out) {
  for (const auto& r : seen.routes) {
    const std::string name = "route " + r.want.to.text();
    bool ok = false;
    if (!r.route) {
      const Error& e = r.route.error();
      if (e.kind != ErrorKind::network) {
        // Undecided: no sample, so an alert on route_ok == 0 does not fire on a netlink hiccup.
        out.add(Status::unknown, name + ": cannot ask the kernel: " + e.message);
        continue;
      }
      out.add(Status::critical, name + ": none (" + e.message + ")");
    } else if (auto why = route_mismatch(r.want, r.route.value()); !why.empty()) {
      out.add(Status::critical, name + " " + why);
    } else {
      ok = true;
      out.details.push_back(name + ": " + r.route->text());
    }
    out.measurements.push_back(flag(name, ok, "hsops_network_route_ok",
                                    "1 if traffic to a configured destination leaves by the configured route",
                                    {{"route", r.want.to.text()}}));
  }
  if (!o.default_route) return;
  if (!seen.ipv4_routes) {
    out.add(Status::unknown, "default route: cannot list routes: " + seen.ipv4_routes.error().message);
    return;
  }
  const auto& all = seen.ipv4_routes.value();
  const auto found = std::find_if(all.begin(), all.end(), [](const net::KernelRoute& r) {
    return r.destination.length == 0 && r.table == 254 && r.type == "unicast";
  });
  out.measurements.push_back(flag("default_route", found != all.end(), "hsops_network_default_route_present",
                                  "1 if the main table has an IPv4 default route (when default_route is required)", {}));
  if (found == all.end()) out.add(Status::critical, "no IPv4 default route");
  else out.details.push_back("default route: " + found->text());
}

void judge_peers(const Observations& seen, Findings& out) {
  for (const auto& p : seen.peers) {
    const std::string name = "peer " + p.peer.text();
    std::string route;
    if (p.route) route = *p.route ? " via " + p.route->value().text() : " (route lookup failed: " + p.route->error().message + ")";
    out.measurements.push_back(flag(name + " reachable", !p.failure, "hsops_network_peer_reachable",
                                    "1 if a TCP connection to a configured peer opened within connect_timeout",
                                    {{"peer", p.peer.text()}}));
    Measurement seconds = measurement(name + " connect", p.connect_seconds, "s", "hsops_network_peer_connect_seconds",
                                      "seconds a TCP connect to a configured peer took, or ran until it failed",
                                      {{"peer", p.peer.text()}});
    seconds.min = 0;
    out.measurements.push_back(std::move(seconds));
    if (!p.failure) {
      out.details.push_back(name + " (" + p.address + "): connected in " + format_duration(p.connect_seconds) + route);
      continue;
    }
    const Error& e = *p.failure;
    // A name that does not resolve says nothing about the path: UNKNOWN, not CRITICAL.
    const Status status = e.kind == ErrorKind::dns ? Status::unknown : Status::critical;
    std::string why = e.message;
    if (e.kind == ErrorKind::connect_timeout) why = "no answer within " + format_duration(p.connect_seconds) + " (dropped on the way: a black hole or a firewall)";
    if (e.kind == ErrorKind::refused) why = "refused (the host answers but nothing listens on port " + std::to_string(p.peer.port) + ")";
    out.add(status, name + ": " + why + route);
  }
}

void judge_hooks(const HookLint& lint, Findings& out) {
  for (const auto& problem : lint.problems) out.add(Status::unknown, "hook file " + problem);
  for (const auto& f : lint.findings) {
    const std::string where = f.file + ":" + std::to_string(f.line);
    out.add(Status::warning, f.context + " at " + where + ": " + f.problem);
    const std::string breaks = f.context + " at " + where + " fails ('" + f.command + "')";
    if (f.context.rfind("dhclient", 0) == 0) out.at_next_renewal.push_back(breaks);
    else out.at_next_reboot.push_back(breaks);
  }
  out.details.push_back("hooks: " + std::to_string(lint.commands_checked) + (lint.commands_checked == 1 ? " command" : " commands") + " checked, " +
                        std::to_string(lint.findings.size()) + " will not run");
  Measurement m = measurement("hook_problems", static_cast<double>(lint.findings.size()), "", "hsops_network_hook_problems",
                              "commands in interface and DHCP hooks that will not run (not on the hooks' PATH, missing, not executable)");
  m.min = 0;
  out.measurements.push_back(std::move(m));
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

// The one line the issue asks for: what the next reboot or DHCP renewal would break.
std::string next_events_line(const Findings& f) {
  if (f.at_next_reboot.empty() && f.at_next_renewal.empty()) return "Next reboot or DHCP renewal: nothing found that would break";
  std::string out;
  if (!f.at_next_reboot.empty()) out += "Next reboot: " + join(f.at_next_reboot, ", ");
  if (!f.at_next_renewal.empty()) out += std::string(out.empty() ? "" : "; ") + "next DHCP renewal: " + join(f.at_next_renewal, ", ");
  return out;
}

}  // namespace

CheckResult build_result(const Options& options, const Observations& seen) {
  Findings f;
  if (seen.interfaces) {
    judge_interfaces(options, seen.interfaces.value(), f);
  } else if (!options.interfaces_up.empty() || !options.addresses.empty() || seen.leases) {
    f.add(Status::unknown, "interfaces: " + seen.interfaces.error().message);
  }
  judge_routes(options, seen, f);
  judge_peers(seen, f);
  if (seen.leases && seen.interfaces) {
    judge_dhcp(options.dhcp, *seen.leases, seen.interfaces.value(),
               seen.hooks ? seen.hooks->dhcp_interfaces : std::vector<DhcpStanza>{}, seen.now, f);
  }
  if (seen.hooks) judge_hooks(*seen.hooks, f);

  CheckResult r;
  r.check = "network";
  r.status = Status::ok;
  for (const auto& p : f.problems) r.status = worst(r.status, p.status);
  std::stable_sort(f.problems.begin(), f.problems.end(),
                   [](const Finding& a, const Finding& b) { return worst(a.status, b.status) == a.status && a.status != b.status; });
  if (f.problems.empty()) {
    r.summary = "routes, addresses, peers, DHCP and hooks as expected";
  } else {
    const std::size_t shown = std::min<std::size_t>(f.problems.size(), 3);
    for (std::size_t i = 0; i < shown; ++i) r.summary += (i == 0 ? "" : "; ") + f.problems[i].text;
    if (f.problems.size() > shown) r.summary += "; and " + std::to_string(f.problems.size() - shown) + " more (-v)";
  }
  r.details.push_back(next_events_line(f));
  for (const auto& p : f.problems) r.details.push_back(std::string(to_string(p.status)) + ": " + p.text);
  for (auto& d : f.details) r.details.push_back(std::move(d));
  r.measurements = std::move(f.measurements);
  return r;
}

}  // namespace hsops::checks::network
