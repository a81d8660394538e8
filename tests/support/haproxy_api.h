// haproxy's runtime API (the test stack's HSOPS_HAPROXY_SOCKET, level admin) for tests: one
// command per connection through socat (as tests/harness/lib/haproxy.sh does), bounded by
// `timeout`, and the per-server rows of `show stat` (CSV).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace hsops::test {

// The command is a fixed runtime API command from the test (no shell metacharacters).
inline std::string haproxy_command(const std::string& socket, const std::string& command) {
  const std::string cmd = "printf '%s\\n' '" + command + "' | timeout 5 socat -t 2 stdio unix-connect:" + socket + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

struct HaproxyServerStat {
  std::string status;        // UP, DOWN, MAINT, DRAIN, ...
  unsigned long long stot = 0;  // sessions forwarded to this server so far
};

// `show stat` rows of BACKEND's servers, by server name.
inline std::map<std::string, HaproxyServerStat> haproxy_servers(const std::string& socket, const std::string& backend) {
  std::map<std::string, HaproxyServerStat> out;
  std::istringstream in(haproxy_command(socket, "show stat"));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string field;
    std::istringstream fs(line);
    while (std::getline(fs, field, ',')) f.push_back(field);
    if (f.size() < 18 || f[0] != backend || f[1] == "BACKEND" || f[1] == "FRONTEND") continue;
    HaproxyServerStat s;
    s.status = f[17];
    try {
      s.stot = std::stoull(f[7]);
    } catch (...) {
    }
    out[f[1]] = s;
  }
  return out;
}

}  // namespace hsops::test
