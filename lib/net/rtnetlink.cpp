// rtnetlink requests and dumps through libmnl: one socket per call, a receive timeout so a
// wedged netlink socket cannot hang a check, and attributes decoded into plain values.
#include "net/rtnetlink.h"

#include <net/if.h>  // before the linux/ headers: they clash the other way round

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <iterator>
#include <map>
#include <memory>

namespace hsops::net {
namespace {

using MessageFn = std::function<void(const nlmsghdr*)>;
using AttributeFn = std::function<void(const nlattr*)>;

// libmnl's mnl_attr_for_each macros assign void* and so do not compile as C++; its callback
// walkers do.
int attribute_callback(const nlattr* attr, void* data) {
  (*static_cast<const AttributeFn*>(data))(attr);
  return MNL_CB_OK;
}

void for_each_attribute(const nlmsghdr* message, std::size_t header_size, const AttributeFn& on_attribute) {
  mnl_attr_parse(message, static_cast<unsigned>(header_size), attribute_callback, const_cast<AttributeFn*>(&on_attribute));
}

void for_each_attribute_in(const void* payload, std::size_t length, const AttributeFn& on_attribute) {
  mnl_attr_parse_payload(payload, length, attribute_callback, const_cast<AttributeFn*>(&on_attribute));
}

struct SocketCloser {
  void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};

std::string errno_text(int err) { return std::strerror(err); }

// Sends one request and hands every answer to on_message until the kernel says done (a dump)
// or acks (a single request). A NLMSG_ERROR answer becomes an Error with the kernel's reason.
Result<bool> talk(nlmsghdr* request, const MessageFn& on_message, std::chrono::milliseconds timeout,
                  const std::string& what) {
  std::unique_ptr<mnl_socket, SocketCloser> nl(mnl_socket_open(NETLINK_ROUTE));
  if (!nl) return Error{ErrorKind::network, what + ": cannot open a netlink socket: " + errno_text(errno)};
  if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
    return Error{ErrorKind::network, what + ": cannot bind the netlink socket: " + errno_text(errno)};
  }
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(mnl_socket_get_fd(nl.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const unsigned port = mnl_socket_get_portid(nl.get());
  const unsigned seq = request->nlmsg_seq;
  if (mnl_socket_sendto(nl.get(), request, request->nlmsg_len) < 0) {
    return Error{ErrorKind::network, what + ": netlink send failed: " + errno_text(errno)};
  }
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE * 4);
  auto callback = [](const nlmsghdr* message, void* data) -> int {
    (*static_cast<const MessageFn*>(data))(message);
    return MNL_CB_OK;
  };
  for (;;) {
    const ssize_t got = mnl_socket_recvfrom(nl.get(), buffer.data(), buffer.size());
    if (got < 0) {
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        return Error{ErrorKind::timeout, what + ": the kernel did not answer within " +
                                             std::to_string(timeout.count()) + " ms"};
      }
      return Error{ErrorKind::network, what + ": netlink receive failed: " + errno_text(err)};
    }
    const int rc = mnl_cb_run(buffer.data(), static_cast<size_t>(got), seq, port, callback,
                              const_cast<MessageFn*>(&on_message));
    if (rc == MNL_CB_ERROR) return Error{ErrorKind::network, what + ": " + errno_text(errno)};
    if (rc == MNL_CB_STOP) return true;
    // A single request (no dump) is answered by one message and no NLMSG_DONE.
    if (!(request->nlmsg_flags & NLM_F_DUMP)) return true;
  }
}

std::string interface_name(int index) {
  char name[IF_NAMESIZE] = "";
  if (index <= 0) return "";
  if (::if_indextoname(static_cast<unsigned>(index), name) == nullptr) return "if" + std::to_string(index);
  return name;
}

std::string route_type_text(unsigned type) {
  switch (type) {
    case RTN_UNICAST: return "unicast";
    case RTN_LOCAL: return "local";
    case RTN_BROADCAST: return "broadcast";
    case RTN_ANYCAST: return "anycast";
    case RTN_MULTICAST: return "multicast";
    case RTN_BLACKHOLE: return "blackhole";
    case RTN_UNREACHABLE: return "unreachable";
    case RTN_PROHIBIT: return "prohibit";
    case RTN_THROW: return "throw";
    case RTN_NAT: return "nat";
    default: return "type " + std::to_string(type);
  }
}

std::string address_text(int family, const nlattr* attr) {
  const auto length = mnl_attr_get_payload_len(attr);
  if ((family == AF_INET && length != 4) || (family == AF_INET6 && length != 16)) return "?";
  return host_prefix(family, mnl_attr_get_payload(attr)).address_text();
}

// RTA_VIA: an IPv4 gateway for an IPv6 route (or the reverse): family, then the address.
std::string via_text(const nlattr* attr) {
  const auto length = mnl_attr_get_payload_len(attr);
  if (length < sizeof(rtvia)) return "?";
  const auto* via = static_cast<const rtvia*>(mnl_attr_get_payload(attr));
  const int family = via->rtvia_family;
  const std::size_t need = family == AF_INET6 ? 16 : 4;
  if (length < sizeof(rtvia) + need) return "?";
  return host_prefix(family, via->rtvia_addr).address_text();
}

// The first nexthop of RTA_MULTIPATH: its device and gateway.
void first_nexthop(int family, const nlattr* attr, KernelRoute& route) {
  const auto length = mnl_attr_get_payload_len(attr);
  if (length < sizeof(rtnexthop)) return;
  const auto* hop = static_cast<const rtnexthop*>(mnl_attr_get_payload(attr));
  route.multipath = true;
  route.dev = interface_name(hop->rtnh_ifindex);
  if (hop->rtnh_len < sizeof(rtnexthop) || hop->rtnh_len > length) return;
  const auto* hop_attributes = reinterpret_cast<const char*>(hop) + RTNH_LENGTH(0);
  for_each_attribute_in(hop_attributes, hop->rtnh_len - RTNH_LENGTH(0), [&](const nlattr* inner) {
    if (mnl_attr_get_type(inner) == RTA_GATEWAY) route.via = address_text(family, inner);
    if (mnl_attr_get_type(inner) == RTA_VIA) route.via = via_text(inner);
  });
}

KernelRoute decode_route(const nlmsghdr* message) {
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(message));
  KernelRoute route;
  route.type = route_type_text(rtm->rtm_type);
  route.table = rtm->rtm_table;
  route.destination.family = rtm->rtm_family;
  route.destination.length = rtm->rtm_dst_len;
  for_each_attribute(message, sizeof(rtmsg), [&](const nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case RTA_DST:
        if (mnl_attr_get_payload_len(attr) == static_cast<uint16_t>(route.destination.byte_count())) {
          std::memcpy(route.destination.bytes.data(), mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));
        }
        break;
      case RTA_OIF: route.dev = interface_name(static_cast<int>(mnl_attr_get_u32(attr))); break;
      case RTA_GATEWAY: route.via = address_text(rtm->rtm_family, attr); break;
      case RTA_VIA: route.via = via_text(attr); break;
      case RTA_PREFSRC: route.source = address_text(rtm->rtm_family, attr); break;
      case RTA_TABLE: route.table = static_cast<int>(mnl_attr_get_u32(attr)); break;
      case RTA_MULTIPATH: first_nexthop(rtm->rtm_family, attr, route); break;
      default: break;
    }
  });
  return route;
}

unsigned next_sequence() {
  static std::atomic<unsigned> sequence{static_cast<unsigned>(::time(nullptr))};
  return ++sequence;
}

}  // namespace

std::string KernelRoute::text() const {
  std::string out;
  if (type != "unicast") out += type + " ";
  out += destination.length == 0 ? "default" : destination.text();
  if (!via.empty()) out += " via " + via;
  if (!dev.empty()) out += " dev " + dev;
  if (!source.empty()) out += " src " + source;
  if (table != RT_TABLE_MAIN && table != 0) out += " table " + std::to_string(table);
  if (multipath) out += " (multipath)";
  return out;
}

Result<KernelRoute> lookup_route(const IpPrefix& address, bool fib_match, std::chrono::milliseconds timeout) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = RTM_GETROUTE;
  request->nlmsg_flags = NLM_F_REQUEST;
  request->nlmsg_seq = next_sequence();
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(rtmsg)));
  rtm->rtm_family = static_cast<unsigned char>(address.family);
  rtm->rtm_dst_len = static_cast<unsigned char>(address.max_length());
  if (fib_match) rtm->rtm_flags = RTM_F_FIB_MATCH;
  mnl_attr_put(request, RTA_DST, static_cast<size_t>(address.byte_count()), address.bytes.data());
  std::optional<KernelRoute> found;
  auto answered = talk(request, [&](const nlmsghdr* m) {
    if (m->nlmsg_type == RTM_NEWROUTE) found = decode_route(m);
  }, timeout, "route lookup for " + address.address_text());
  if (!answered) return answered.error();
  if (!found) return Error{ErrorKind::network, "route lookup for " + address.address_text() + ": no answer"};
  if (!fib_match) found->destination = address;
  return *found;
}

Result<std::vector<KernelRoute>> list_routes(int family, std::chrono::milliseconds timeout) {
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = RTM_GETROUTE;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = next_sequence();
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(request, sizeof(rtmsg)));
  rtm->rtm_family = static_cast<unsigned char>(family);
  std::vector<KernelRoute> routes;
  auto answered = talk(request, [&](const nlmsghdr* m) {
    if (m->nlmsg_type == RTM_NEWROUTE) routes.push_back(decode_route(m));
  }, timeout, "listing routes");
  if (!answered) return answered.error();
  return routes;
}

namespace {

// IFLA_OPERSTATE, RFC 2863 (IF_OPER_* live in linux/if.h, which cannot be included beside
// net/if.h).
std::string oper_state_text(unsigned state) {
  static const char* const kNames[] = {"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"};
  return state < std::size(kNames) ? kNames[state] : "unknown";
}

nlmsghdr* dump_request(std::vector<char>& buffer, int type, std::size_t header_size) {
  nlmsghdr* request = mnl_nlmsg_put_header(buffer.data());
  request->nlmsg_type = static_cast<uint16_t>(type);
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request->nlmsg_seq = next_sequence();
  mnl_nlmsg_put_extra_header(request, header_size);  // zeroed: every family, every interface
  return request;
}

void decode_link(const nlmsghdr* m, std::map<int, KernelInterface>& interfaces) {
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(m));
  KernelInterface& i = interfaces[ifi->ifi_index];
  i.index = ifi->ifi_index;
  i.admin_up = (ifi->ifi_flags & IFF_UP) != 0;
  i.lower_up = (ifi->ifi_flags & IFF_RUNNING) != 0;
  for_each_attribute(m, sizeof(ifinfomsg), [&](const nlattr* attr) {
    if (mnl_attr_get_type(attr) == IFLA_IFNAME) i.name = mnl_attr_get_str(attr);
    if (mnl_attr_get_type(attr) == IFLA_OPERSTATE) i.oper_state = oper_state_text(mnl_attr_get_u8(attr));
  });
}

void decode_address(const nlmsghdr* m, std::map<int, KernelInterface>& interfaces) {
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(m));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return;
  InterfaceAddress a;
  std::uint32_t flags = ifa->ifa_flags;
  const void* local = nullptr;
  const void* peer = nullptr;
  std::optional<std::uint32_t> valid;
  for_each_attribute(m, sizeof(ifaddrmsg), [&](const nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case IFA_LOCAL: local = mnl_attr_get_payload(attr); break;
      case IFA_ADDRESS: peer = mnl_attr_get_payload(attr); break;
      case IFA_FLAGS: flags = mnl_attr_get_u32(attr); break;
      case IFA_CACHEINFO:
        if (mnl_attr_get_payload_len(attr) >= sizeof(ifa_cacheinfo)) {
          valid = static_cast<const ifa_cacheinfo*>(mnl_attr_get_payload(attr))->ifa_valid;
        }
        break;
      default: break;
    }
  });
  // IPv4 puts the interface's own address in IFA_LOCAL (IFA_ADDRESS is the peer on a
  // point-to-point link); IPv6 has only IFA_ADDRESS.
  const void* own = local != nullptr ? local : peer;
  if (own == nullptr) return;
  a.address = host_prefix(ifa->ifa_family, own);
  a.address.length = ifa->ifa_prefixlen;
  a.permanent = (flags & IFA_F_PERMANENT) != 0;
  if (!a.permanent && valid && *valid != 0xffffffffu) a.valid_seconds = *valid;
  interfaces[static_cast<int>(ifa->ifa_index)].addresses.push_back(a);
}

}  // namespace

Result<std::vector<KernelInterface>> list_interfaces(std::chrono::milliseconds timeout) {
  std::map<int, KernelInterface> interfaces;
  std::vector<char> buffer(MNL_SOCKET_BUFFER_SIZE);
  auto links = talk(dump_request(buffer, RTM_GETLINK, sizeof(rtgenmsg)),
                    [&](const nlmsghdr* m) { if (m->nlmsg_type == RTM_NEWLINK) decode_link(m, interfaces); },
                    timeout, "listing interfaces");
  if (!links) return links.error();
  auto addresses = talk(dump_request(buffer, RTM_GETADDR, sizeof(ifaddrmsg)),
                        [&](const nlmsghdr* m) { if (m->nlmsg_type == RTM_NEWADDR) decode_address(m, interfaces); },
                        timeout, "listing addresses");
  if (!addresses) return addresses.error();
  std::vector<KernelInterface> out;
  for (auto& [index, i] : interfaces) {
    if (!i.name.empty()) out.push_back(std::move(i));
  }
  return out;
}

}  // namespace hsops::net
