// The DHCP part of the network check: leases found on disk, addresses the kernel says have a
// lifetime, and interfaces configured for DHCP, judged against DhcpOptions.
#pragma once

#include <vector>

#include "checks/network/findings.h"
#include "checks/network/hooks.h"
#include "checks/network/leases.h"
#include "checks/network/options.h"
#include "net/rtnetlink.h"

namespace hsops::checks::network {

// OK: no DHCP, or allowed and healthy. WARNING: an address comes from DHCP (unless allowed).
// CRITICAL: a renewal overdue past the grace, expiry within expiry_within, or a lease expired
// (and not yet forgotten) on an interface that exists.
void judge_dhcp(const DhcpOptions& options, const LeaseScan& scan, const std::vector<net::KernelInterface>& interfaces,
                const std::vector<DhcpStanza>& dhcp_stanzas, double now, Findings& out);

}  // namespace hsops::checks::network
