// The sd_notify protocol on a NOTIFY_SOCKET this test binds (the unit test machine need not
// have systemd as PID 1): READY/STATUS/WATCHDOG/STOPPING datagrams, one-line status, and
// the keep-alive interval from WATCHDOG_USEC.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "watchdog/systemd_notify.h"

using namespace hsops::watchdog;

namespace {

// A datagram socket standing in for systemd's notify socket, set in $NOTIFY_SOCKET.
class NotifySocket {
 public:
  NotifySocket() : path_(std::filesystem::temp_directory_path() / ("hsops-notify-" + std::to_string(::getpid()))) {
    std::filesystem::remove(path_);
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.string().copy(addr.sun_path, sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  std::string next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return "(nothing within 2 s)";
    char buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "(recv failed)";
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

TEST_CASE("systemd notify: READY with a one-line STATUS, then WATCHDOG and STOPPING") {
  NotifySocket systemd;
  CHECK(notify_ready("8 checks scheduled\nREADY=0"));
  CHECK(systemd.next() == "READY=1\nSTATUS=8 checks scheduled READY=0");
  CHECK(notify_status("1 alert firing"));
  CHECK(systemd.next() == "STATUS=1 alert firing");
  CHECK(notify_watchdog());
  CHECK(systemd.next() == "WATCHDOG=1");
  CHECK(notify_stopping());
  CHECK(systemd.next() == "STOPPING=1");
}

TEST_CASE("systemd notify: outside systemd nothing is sent and nothing fails") {
  ::unsetenv("NOTIFY_SOCKET");
  CHECK_FALSE(notify_ready("x"));
  CHECK_FALSE(notify_watchdog());
}

TEST_CASE("systemd notify: keep-alives at half of WatchdogSec, only for this process") {
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  CHECK_FALSE(watchdog_keepalive_interval().has_value());
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  CHECK(watchdog_keepalive_interval() == std::chrono::microseconds(10'000'000));
  ::setenv("WATCHDOG_PID", "1", 1);  // meant for another process
  CHECK_FALSE(watchdog_keepalive_interval().has_value());
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}
