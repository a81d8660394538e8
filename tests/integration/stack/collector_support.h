// Helpers for the hsops-collector integration tests: a fresh database on the stack's primary,
// the real collector binary started with posix_spawn and stopped by pid (lib/exec only runs
// children to completion), and a raw socket for requests curl will not send (slowloris).
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "pg/connection.h"
#include "support/stack_env.h"

extern char** environ;

namespace hsops::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Drops and recreates `name` on the stack's primary; returns its superuser conninfo.
inline std::string fresh_database(const std::string& name) {
  const std::string admin = stack_env().get("HSOPS_PG_PRIMARY");
  auto db = pg::Connection::open(admin);
  REQUIRE(db.ok());
  REQUIRE(db.value().query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").ok());
  REQUIRE(db.value().query("CREATE DATABASE " + name).ok());
  return std::regex_replace(admin, std::regex("dbname=\\S+"), "dbname=" + name);
}

inline std::int64_t count_rows(const std::string& conninfo, const std::string& sql) {
  auto db = pg::Connection::open(conninfo);
  REQUIRE(db.ok());
  auto rows = db.value().query(sql);
  REQUIRE(rows.ok());
  return std::stoll(rows->rows.at(0).at(0).value_or("0"));
}

// The real hsops-collector on a free port with its own config; SIGTERM then SIGKILL by pid at
// the end, so no test leaves it running.
class CollectorProcess {
 public:
  // `max_open_files` > 0 starts it under `prlimit --nofile` (a process out of descriptors).
  CollectorProcess(const std::string& name, const std::string& conninfo, const std::string& extra_yaml,
                   int max_open_files = 0) {
    dir_ = std::filesystem::temp_directory_path() / ("hsops-collector-it-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    {
      std::ofstream secret(dir_ / "secret");
      secret << "0123456789abcdef0123456789abcdef0123456789abcdef\n";
    }
    std::filesystem::permissions(dir_ / "secret", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::ofstream config(dir_ / "collector.yaml");
    config << "listen: 127.0.0.1:0\ndatabase:\n  conninfo: \"" << conninfo << "\"\npseudonym_secret_file: secret\n"
           << extra_yaml;
    config.close();
    const std::string binary = std::string(HSOPS_BINARY_DIR) + "/cmd/hsops-collector/hsops-collector";
    REQUIRE(std::filesystem::exists(binary));
    const std::string log = (dir_ / "log").string();
    const std::string config_path = (dir_ / "collector.yaml").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {binary, "--config", config_path};
    if (max_open_files > 0) {
      // prlimit execs the collector: the pid stays the collector's.
      const std::string limit = "--nofile=" + std::to_string(max_open_files) + ":" + std::to_string(max_open_files);
      args.insert(args.begin(), {"/usr/bin/prlimit", limit});
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    REQUIRE(rc == 0);
    const std::regex listening("listening on [0-9.]+:([0-9]+)");
    for (int i = 0; i < 100 && port_ == 0; ++i) {
      std::smatch m;
      const std::string text = read_file(log);
      if (std::regex_search(text, m, listening)) port_ = std::stoi(m[1]);
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(read_file(log));
    REQUIRE(port_ != 0);
  }
  ~CollectorProcess() {
    if (pid_ > 0) stop();
    std::filesystem::remove_all(dir_);
  }
  CollectorProcess(const CollectorProcess&) = delete;
  CollectorProcess& operator=(const CollectorProcess&) = delete;

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int port() const { return port_; }
  bool running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }
  void terminate() const { ::kill(pid_, SIGTERM); }
  // SIGTERM, wait up to `deadline`, then SIGKILL. Returns the exit status (or -1 if killed).
  int stop(std::chrono::milliseconds deadline = std::chrono::milliseconds(10000)) {
    ::kill(pid_, SIGTERM);
    return wait(deadline);
  }
  int wait(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return -1;
  }
  std::string log() const { return read_file(dir_ / "log"); }
  // CPU seconds (user + system) the process has used so far.
  double cpu_seconds() const {
    const std::string stat = read_file("/proc/" + std::to_string(pid_) + "/stat");
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i >= 14) ticks += std::stod(field);  // utime and stime, fields 14 and 15 of proc(5)
    }
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A plain TCP connection with receive timeouts, for hand-written requests.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  void send(const std::string& data) { (void)::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); }
  // Everything until the peer closes or `deadline` passes; `closed` says which.
  std::string receive_all(std::chrono::milliseconds deadline, bool* closed) {
    std::string out;
    const auto until = std::chrono::steady_clock::now() + deadline;
    *closed = false;
    while (std::chrono::steady_clock::now() < until) {
      timeval tv{0, 100000};
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno == ECONNRESET)) {
        *closed = true;
        break;
      }
      if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
};

}  // namespace hsops::test
