// Judges each interface's DHCP lease, newest first; an interface the lease files do not cover
// is still caught by the kernel's address lifetime or an `iface ... dhcp` stanza.
#include "checks/network/dhcp_verdict.h"

#include <algorithm>
#include <set>
#include <sys/socket.h>

#include "checks/common/measurement.h"
#include "core/units.h"

namespace hsops::checks::network {
namespace {

const net::KernelInterface* find_interface(const std::vector<net::KernelInterface>& interfaces, const std::string& name) {
  for (const auto& i : interfaces) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

bool has_address(const net::KernelInterface& i, const std::string& address) {
  return std::any_of(i.addresses.begin(), i.addresses.end(),
                     [&](const net::InterfaceAddress& a) { return a.address.address_text() == address; });
}

std::string lease_times(const Lease& l) {
  std::string out = std::string(to_string(l.client)) + " lease of " + l.address + " on " + l.interface;
  if (l.start) out += ", obtained " + utc_text(*l.start);
  if (l.renew) out += ", renew " + utc_text(*l.renew);
  if (l.rebind) out += ", rebind " + utc_text(*l.rebind);
  if (l.expiry) out += ", expires " + utc_text(*l.expiry);
  return out + " (" + l.file + ")";
}

void lease_metrics(const Lease& l, Findings& out) {
  const std::map<std::string, std::string> labels{{"interface", l.interface}};
  if (l.expiry) {
    out.measurements.push_back(measurement(l.interface + " lease_expiry", *l.expiry, "", "hsops_network_dhcp_lease_expiry_timestamp_seconds",
                                           "when the interface's current DHCP lease expires (unix time)", labels));
  }
  if (l.renew) {
    out.measurements.push_back(measurement(l.interface + " lease_renewal", *l.renew, "", "hsops_network_dhcp_lease_renewal_timestamp_seconds",
                                           "when the client must renew the interface's DHCP lease (T1, unix time); "
                                           "in the past means a renewal is overdue",
                                           labels));
  }
}

// One current lease on an existing interface.
void judge_lease(const DhcpOptions& o, const Lease& l, const net::KernelInterface& i, double now, Findings& out) {
  const bool present = has_address(i, l.address);
  const std::string who = l.interface + ": DHCP lease of " + l.address;
  out.details.push_back(lease_times(l) + (present ? "" : "; the address is not on the interface"));
  lease_metrics(l, out);
  const auto grace = static_cast<double>(o.renewal_grace.count());
  if (l.expiry && *l.expiry <= now) {
    out.add(Status::critical, who + " expired " + format_duration(now - *l.expiry) + " ago and was not renewed" +
                                  (present ? "" : " (" + l.address + " is gone from " + l.interface + ")"));
    out.at_next_renewal.push_back(l.interface + " has no address until a DHCP server answers");
    return;
  }
  if (l.renew && now > *l.renew + grace) {
    out.add(Status::critical, who + " not renewed: renewal was due " + format_duration(now - *l.renew) + " ago" +
                                  (l.expiry ? "; it expires in " + format_duration(*l.expiry - now) : ""));
  } else if (l.expiry && *l.expiry - now < static_cast<double>(o.expiry_within.count())) {
    out.add(Status::critical, who + " expires in " + format_duration(*l.expiry - now));
  } else if (!o.allow) {
    out.add(Status::warning, l.interface + " gets its address " + l.address + " by DHCP (" + std::string(to_string(l.client)) +
                                 "): use a static address in production, or set allow_dhcp: true");
  }
  out.at_next_renewal.push_back(l.interface + " loses " + l.address + " if no DHCP server answers by " +
                                (l.expiry ? utc_text(*l.expiry) : std::string("the lease's expiry")));
}

// Leases on interfaces that exist, the newest per interface; older ones and ones for
// interfaces absent here are only details.
std::vector<Lease> current_leases(const DhcpOptions& o, const LeaseScan& scan,
                                  const std::vector<net::KernelInterface>& interfaces, double now, Findings& out) {
  std::vector<Lease> newest;
  for (const auto& l : scan.leases) {
    if (find_interface(interfaces, l.interface) == nullptr) {
      out.details.push_back("ignored: " + lease_times(l) + ": no interface " + l.interface + " here");
      continue;
    }
    if (l.expiry && now - *l.expiry > static_cast<double>(o.forget_expired_after.count())) {
      out.details.push_back("ignored: " + lease_times(l) + ": expired more than " +
                            format_duration(static_cast<double>(o.forget_expired_after.count())) + " ago");
      continue;
    }
    auto same = std::find_if(newest.begin(), newest.end(), [&](const Lease& n) { return n.interface == l.interface; });
    if (same == newest.end()) {
      newest.push_back(l);
    } else if (l.start.value_or(0) > same->start.value_or(0)) {
      *same = l;
    }
  }
  return newest;
}

}  // namespace

void judge_dhcp(const DhcpOptions& o, const LeaseScan& scan, const std::vector<net::KernelInterface>& interfaces,
                const std::vector<DhcpStanza>& dhcp_stanzas, double now, Findings& out) {
  for (const auto& problem : scan.problems) out.add(Status::unknown, "lease file " + problem);
  std::set<std::string> covered;
  for (const auto& l : current_leases(o, scan, interfaces, now, out)) {
    judge_lease(o, l, *find_interface(interfaces, l.interface), now, out);
    covered.insert(l.interface);
  }
  // Addresses with a lifetime but no lease file we know: still dynamic, still expiring.
  for (const auto& i : interfaces) {
    if (covered.count(i.name) != 0) continue;
    for (const auto& a : i.addresses) {
      if (a.permanent || a.address.family != AF_INET || !a.valid_seconds) continue;
      const std::string what = i.name + ": " + a.address.text() + " has a lifetime (" +
                               format_duration(*a.valid_seconds) + " left) but no lease file was found";
      out.details.push_back(what);
      if (*a.valid_seconds < o.expiry_within.count()) {
        out.add(Status::critical, what + "; it expires soon");
      } else if (!o.allow) {
        out.add(Status::warning, what + " (DHCP?): use a static address, or set allow_dhcp: true");
      }
      covered.insert(i.name);
    }
  }
  for (const auto& s : dhcp_stanzas) {
    if (covered.count(s.interface) != 0 || o.allow) continue;
    out.add(Status::warning, s.interface + " is configured for DHCP (" + s.file + ":" + std::to_string(s.line) +
                                 "): use a static address in production, or set allow_dhcp: true");
  }
}

}  // namespace hsops::checks::network
