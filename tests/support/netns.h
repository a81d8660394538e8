// Two network namespaces joined by a veth pair, made for one test with iproute2 and removed on
// every exit path: processes inside are killed, the namespaces (and so their interfaces and
// routes) deleted, /etc/netns/<name> removed. Leftovers of a run that was killed outright are
// cleaned up when the next one starts (the names are fixed for that reason).
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "exec/exec.h"

namespace hsops::test {

// Runs a shell command under a deadline; its output (stdout then stderr) and exit status.
inline std::string shell(const std::string& command, int& status, std::chrono::seconds deadline = std::chrono::seconds(60)) {
  exec::Command c("/bin/sh", {"-c", command});
  c.deadline = deadline;
  auto r = exec::run(c);
  status = (r.ok() && !r->timed_out) ? r->exit_code : -1;
  return r.ok() ? r->out + r->err : r.error().message;
}

inline void shell_ok(const std::string& command) {
  int status = 0;
  const std::string out = shell(command, status);
  INFO(command << "\n" << out);
  REQUIRE(status == 0);
}

class NetnsPair {
 public:
  // Namespaces "<prefix>-a" and "<prefix>-b"; veth "veth-a" in a (a_address) and "veth-b" in b
  // (b_address, may be "" for a DHCP client). Addresses are CIDR, e.g. "10.203.0.1/24".
  NetnsPair(std::string prefix, const std::string& a_address, const std::string& b_address)
      : a_(prefix + "-a"), b_(prefix + "-b") {
    remove();
    shell_ok("ip netns add " + a_ + " && ip netns add " + b_);
    shell_ok("ip -n " + a_ + " link set lo up && ip -n " + b_ + " link set lo up");
    shell_ok("ip link add veth-a netns " + a_ + " type veth peer name veth-b netns " + b_);
    if (!a_address.empty()) shell_ok("ip -n " + a_ + " addr add " + a_address + " dev veth-a");
    if (!b_address.empty()) shell_ok("ip -n " + b_ + " addr add " + b_address + " dev veth-b");
    shell_ok("ip -n " + a_ + " link set veth-a up && ip -n " + b_ + " link set veth-b up");
  }
  ~NetnsPair() { remove(); }
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }
  // `ip -n <b> ...` / `ip netns exec <b> ...` prefixes.
  std::string ip_b() const { return "ip -n " + b_ + " "; }
  std::string exec_b() const { return "ip netns exec " + b_ + " "; }
  std::string exec_a() const { return "ip netns exec " + a_ + " "; }

  // A TCP listener on address:port inside namespace `ns`: a socket belongs to the namespace
  // it was made in, so a thread enters the namespace, listens, and leaves the socket behind.
  // The kernel completes handshakes without accept(). Closed by the caller (or the process).
  static int listen_in(const std::string& ns, const std::string& address, int port) {
    int fd = -1;
    std::thread([&] {
      const int ns_fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (ns_fd < 0 || ::setns(ns_fd, CLONE_NEWNET) != 0) return;
      ::close(ns_fd);
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<std::uint16_t>(port));
      ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) {
        ::close(fd);
        fd = -1;
      }
    }).join();
    REQUIRE(fd >= 0);
    return fd;
  }

  // Files in /etc/netns/<ns>/X are bind-mounted over /etc/X by `ip netns exec` (iproute2),
  // which gives a program in the namespace its own /etc/dhcp without touching the host's.
  std::filesystem::path etc_of(const std::string& ns) const { return std::filesystem::path("/etc/netns") / ns; }

 private:
  void remove() const {
    for (const auto& ns : {a_, b_}) {
      int status = 0;
      shell("pids=$(ip netns pids " + ns + " 2>/dev/null); [ -z \"$pids\" ] || kill -9 $pids; "
            "ip netns del " + ns + " 2>/dev/null; rm -rf /etc/netns/" + ns + "; rmdir /etc/netns 2>/dev/null", status);
    }
  }
  std::string a_;
  std::string b_;
};

}  // namespace hsops::test
