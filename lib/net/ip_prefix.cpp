// Parsing and printing through inet_pton/inet_ntop; prefix arithmetic on bytes.
#include "net/ip_prefix.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace hsops::net {

int IpPrefix::byte_count() const { return family == AF_INET6 ? 16 : 4; }

std::string IpPrefix::address_text() const {
  char out[INET6_ADDRSTRLEN] = "";
  if (::inet_ntop(family, bytes.data(), out, sizeof out) == nullptr) return "?";
  return out;
}

std::string IpPrefix::text() const { return is_host() ? address_text() : address_text() + "/" + std::to_string(length); }

bool IpPrefix::contains(const IpPrefix& other) const {
  if (family != other.family || other.length < length) return false;
  const int full = length / 8;
  if (std::memcmp(bytes.data(), other.bytes.data(), static_cast<std::size_t>(full)) != 0) return false;
  const int rest = length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes[full] & mask) == (other.bytes[full] & mask);
}

IpPrefix host_prefix(int family, const void* raw) {
  IpPrefix p;
  p.family = family;
  std::memcpy(p.bytes.data(), raw, static_cast<std::size_t>(p.byte_count()));
  p.length = p.max_length();
  return p;
}

Result<IpPrefix> parse_ip_prefix(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  IpPrefix p;
  if (::inet_pton(AF_INET, address.c_str(), p.bytes.data()) == 1) {
    p.family = AF_INET;
  } else if (::inet_pton(AF_INET6, address.c_str(), p.bytes.data()) == 1) {
    p.family = AF_INET6;
  } else {
    return Error{ErrorKind::parse, "'" + std::string(text) + "' is not an IPv4 or IPv6 address or prefix"};
  }
  p.length = p.max_length();
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    int length = -1;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size() || length < 0 || length > p.max_length()) {
      return Error{ErrorKind::parse, "'" + std::string(text) + "': the prefix length must be 0 to " +
                                         std::to_string(p.max_length())};
    }
    p.length = length;
  }
  IpPrefix network = p;
  for (int bit = p.length; bit < p.max_length(); ++bit) {
    network.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (network != p) {
    return Error{ErrorKind::parse, "'" + std::string(text) + "' has host bits set: did you mean " + network.text() + "?"};
  }
  return p;
}

}  // namespace hsops::net
