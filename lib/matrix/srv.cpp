#include "matrix/srv.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>

namespace hsops::matrix {

Result<std::vector<SrvRecord>> parse_srv_answer(const unsigned char* answer, int length) {
  ns_msg msg;
  if (ns_initparse(answer, length, &msg) != 0) return Error{ErrorKind::dns, "malformed DNS answer"};
  std::vector<SrvRecord> out;
  const int count = ns_msg_count(msg, ns_s_an);
  for (int i = 0; i < count; ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) != 0) return Error{ErrorKind::dns, "malformed DNS answer record"};
    if (ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) continue;
    const unsigned char* rd = ns_rr_rdata(rr);
    SrvRecord rec;
    rec.priority = static_cast<std::uint16_t>(ns_get16(rd));
    rec.weight = static_cast<std::uint16_t>(ns_get16(rd + 2));
    rec.port = static_cast<std::uint16_t>(ns_get16(rd + 4));
    char name[NS_MAXDNAME];
    if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), rd + 6, name, sizeof name) < 0) {
      return Error{ErrorKind::dns, "malformed SRV target"};
    }
    rec.target = name;
    if (!rec.target.empty() && rec.target.back() == '.') rec.target.pop_back();
    out.push_back(std::move(rec));
  }
  std::stable_sort(out.begin(), out.end(), [](const SrvRecord& a, const SrvRecord& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
  });
  return out;
}

Result<std::vector<SrvRecord>> lookup_srv(const std::string& name, std::chrono::milliseconds timeout) {
  struct __res_state state;
  std::memset(&state, 0, sizeof state);
  if (res_ninit(&state) != 0) return Error{ErrorKind::dns, "cannot initialise the DNS resolver"};
  // One try per server with a per-try timeout in whole seconds: the total stays near `timeout`.
  const long seconds = std::max<long>(1, static_cast<long>(timeout.count() / 1000));
  state.retrans = static_cast<int>(seconds);
  state.retry = 1;
  unsigned char answer[NS_PACKETSZ * 4];
  const int len = res_nquery(&state, name.c_str(), ns_c_in, ns_t_srv, answer, sizeof answer);
  const int err = state.res_h_errno;
  res_nclose(&state);
  if (len < 0) {
    if (err == HOST_NOT_FOUND || err == NO_DATA) return std::vector<SrvRecord>{};
    return Error{ErrorKind::dns, "SRV lookup of " + name + " failed (" + std::string(hstrerror(err)) + ")"};
  }
  return parse_srv_answer(answer, len);
}

}  // namespace hsops::matrix
