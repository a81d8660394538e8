// `hsops check clock` against a REAL chronyd serving time on a loopback port, its clock shifted
// by libfaketime (LD_PRELOAD, FAKETIME="+2.5s"). chronyd runs with -x, so it never touches the
// host clock; both chronyd and the check read the same host clock, so the difference we measure
// is exactly faketime's shift whether or not the host itself is synchronised.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "checks/clock/config.h"
#include "support/local_http_server.h"

extern char** environ;

using namespace hsops;
using namespace hsops::checks;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

std::uint16_t free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string find_first(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates) {
    if (::access(c, X_OK) == 0 || (fs::exists(c) && ::access(c, R_OK) == 0)) return c;
  }
  return "";
}

std::string libfaketime() {
  return find_first({"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                     "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1",
                     "/usr/local/lib/faketime/libfaketime.so.1"});
}

// A chronyd in server mode on 127.0.0.1:<port>, its time shifted by `shift` (e.g. "+2.5s").
// The destructor stops exactly the process it started (by pid) and removes its temp dir, also
// when an assertion fails.
class ChronyServer {
 public:
  explicit ChronyServer(const std::string& shift) : port_(free_udp_port()) {
    dir_ = fs::temp_directory_path() / ("hsops-chrony-" + std::to_string(::getpid()) + "-" + std::to_string(port_));
    fs::create_directories(dir_);
    const fs::path conf = dir_ / "chrony.conf";
    std::ofstream(conf) << "port " << port_ << "\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 1\n"
                        << "cmdport 0\npidfile " << (dir_ / "chronyd.pid").string() << "\ndriftfile "
                        << (dir_ / "drift").string() << "\n";
    const std::string chronyd = find_first({"/usr/sbin/chronyd", "/sbin/chronyd", "/usr/local/sbin/chronyd"});
    const std::string preload = libfaketime();
    if (chronyd.empty() || (!shift.empty() && preload.empty())) {
      why_not_ = "chronyd or libfaketime not installed (Debian: chrony, faketime)";
      return;
    }
    // -d: foreground, -x: never adjust the system clock; -u root / -U: no privilege drop
    // (which would need the _chrony user to read our temp dir).
    std::vector<std::string> args{chronyd, "-d", "-x", "-f", conf.string()};
    if (::geteuid() == 0) args.insert(args.end(), {"-u", "root"});
    else args.push_back("-U");
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    if (!shift.empty()) {
      env.push_back("LD_PRELOAD=" + preload);
      env.push_back("FAKETIME=" + shift);
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const std::string log = (dir_ / "chronyd.log").string();
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    if (::posix_spawn(&pid_, chronyd.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    if (pid_ <= 0) {
      why_not_ = "cannot start chronyd";
      return;
    }
    // Bounded wait until it answers SNTP.
    SystemClock clock;
    net::SntpOptions probe;
    probe.samples = 1;
    probe.timeout = milliseconds(200);
    const auto give_up = steady_clock::now() + seconds(10);
    while (steady_clock::now() < give_up) {
      if (net::query(address(), probe, clock)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
    }
    std::ifstream in(log);
    why_not_ = "chronyd did not answer within 10 s; its log:\n" +
               std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  ~ChronyServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      const auto give_up = steady_clock::now() + seconds(3);
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (steady_clock::now() > give_up) {
          ::kill(pid_, SIGKILL);
          ::waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(milliseconds(20));
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  ChronyServer(const ChronyServer&) = delete;
  ChronyServer& operator=(const ChronyServer&) = delete;

  bool running() const { return why_not_.empty(); }
  const std::string& why_not() const { return why_not_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::uint16_t port_;
  fs::path dir_;
  pid_t pid_ = -1;
  std::string why_not_;
};

const Measurement* find(const CheckResult& r, const std::string& label) {
  for (const auto& m : r.measurements) {
    if (m.label == label) return &m;
  }
  return nullptr;
}

CheckResult run_clock(ClockSettings settings) {
  static SystemClock clock;
  return make_clock_check(std::move(settings), real_clock_probes(clock), clock)->run();
}

void report(const CheckResult& r) {
  std::cout << "CLOCK " << to_string(r.status) << " - " << r.summary << "\n";
  for (const auto& m : r.measurements) {
    if (m.label == "offset" || m.label == "delay" || m.label.rfind("http", 0) == 0) {
      std::printf("  measured %s = %.6f s\n", m.label.c_str(), m.value);
    }
  }
  for (const auto& d : r.details) std::cout << "  " << d << "\n";
}

}  // namespace

TEST_CASE("chronyd under faketime +2.5 s: offset +2.5 s / CRITICAL", "[integration][clock]") {
  ChronyServer chrony("+2.5s");
  if (!chrony.running()) FAIL(chrony.why_not());
  ClockSettings settings;
  settings.servers = {chrony.address()};
  const CheckResult r = run_clock(settings);
  report(r);
  const Measurement* offset = find(r, "offset");
  REQUIRE(offset);
  CHECK(offset->value == Approx(2.5).margin(0.020));
  CHECK(r.status == Status::critical);
  CHECK(r.summary.find("vs " + chrony.address() + " (stratum 1") != std::string::npos);
  CHECK(find(r, "delay")->value < 0.010);
}

TEST_CASE("chronyd without a shift: |offset| < 20 ms / OK", "[integration][clock]") {
  ChronyServer chrony("");
  if (!chrony.running()) FAIL(chrony.why_not());
  ClockSettings settings;
  settings.servers = {chrony.address()};
  settings.thresholds.require_kernel_sync = false;  // the CI host's own sync state is not under test
  const CheckResult r = run_clock(settings);
  report(r);
  const Measurement* offset = find(r, "offset");
  REQUIRE(offset);
  CHECK(std::fabs(offset->value) < 0.020);
  CHECK(r.status == Status::ok);
}

TEST_CASE("a black-holed NTP port: UNKNOWN within the deadline", "[integration][clock]") {
  // A bound UDP socket that never answers (and so sends no ICMP port-unreachable either).
  const int hole = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(hole, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(hole, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ClockSettings settings;
  settings.servers = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
  settings.timeout = milliseconds(1000);
  settings.read_kernel = false;
  const auto started = steady_clock::now();
  const CheckResult r = run_clock(settings);
  const auto took = steady_clock::now() - started;
  ::close(hole);
  report(r);
  CHECK(r.status == Status::unknown);
  CHECK(r.summary.find("no reply within 1000 ms") != std::string::npos);
  CHECK(took < milliseconds(1500));
}

TEST_CASE("HTTP Date 3 s ahead of a correct NTP server: http offset +3 s / WARNING", "[integration][clock][http]") {
  ChronyServer chrony("");
  if (!chrony.running()) FAIL(chrony.why_not());
  test::LocalHttpServer http;
  // The Date header follows the host clock + 3 s; refreshed every 5 ms (its resolution is 1 s).
  std::atomic<bool> stop{false};
  auto refresh = [&] {
    const std::time_t t = system_clock::to_time_t(system_clock::now() + seconds(3));
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    http.route("/_matrix/federation/v1/version", {200, {{"Date", buf}}, R"({"server":{"name":"test"}})"});
  };
  refresh();
  std::thread updater([&] {
    while (!stop) {
      refresh();
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  ClockSettings settings;
  settings.servers = {chrony.address()};
  settings.http_urls = {http.url("/_matrix/federation/v1/version")};
  settings.thresholds.require_kernel_sync = false;
  const CheckResult r = run_clock(settings);
  stop = true;
  updater.join();
  report(r);
  const Measurement* h = find(r, "http offset 127.0.0.1:" + std::to_string(http.port()));
  REQUIRE(h);
  CHECK(h->value == Approx(3.0).margin(1.0));
  CHECK(h->metric_labels.at("source") == "http");
  CHECK(r.status == Status::warning);
  CHECK(r.summary.find("HTTP Date of " + settings.http_urls[0]) != std::string::npos);
}
