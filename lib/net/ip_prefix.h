// IPv4/IPv6 addresses and prefixes ("10.8.0.0/16", "2001:db8::/32", "10.1.0.1") as values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hsops::net {

struct IpPrefix {
  int family = 0;                      // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // network byte order; IPv4 uses the first 4
  int length = 0;                      // prefix length; 32/128 for a single address

  int byte_count() const;
  int max_length() const { return byte_count() * 8; }
  bool is_host() const { return length == max_length(); }
  std::string address_text() const;    // the address part: "10.8.0.0"
  std::string text() const;            // "10.8.0.0/16", or "10.1.0.1" for a host
  bool contains(const IpPrefix& other) const;  // same family and other lies inside this prefix
  bool operator==(const IpPrefix& other) const = default;
};

// "10.8.0.0/16", "10.1.0.1" (a host), "fd00::/8". ErrorKind::parse naming the problem;
// host bits set past the prefix ("10.8.0.1/16") are an error: say the network meant.
Result<IpPrefix> parse_ip_prefix(std::string_view text);
// Raw address bytes (4 or 16) as a host prefix.
IpPrefix host_prefix(int family, const void* bytes);

}  // namespace hsops::net
