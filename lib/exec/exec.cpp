#include "exec/exec.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/process.hpp>
#include <filesystem>

namespace bp = boost::process;

namespace hsops::exec {
namespace {

// Reads a pipe into `sink` until EOF, keeping at most `cap` bytes.
class Drain {
 public:
  Drain(bp::async_pipe& pipe, std::string& sink, std::size_t cap) : pipe_(pipe), sink_(sink), cap_(cap) {}
  void start() {
    pipe_.async_read_some(boost::asio::buffer(buf_), [this](const boost::system::error_code& ec, std::size_t n) {
      if (n > 0 && sink_.size() < cap_) sink_.append(buf_.data(), std::min(n, cap_ - sink_.size()));
      if (!ec) start();
    });
  }

 private:
  bp::async_pipe& pipe_;
  std::string& sink_;
  std::size_t cap_;
  std::array<char, 4096> buf_{};
};

// Writing stdin to a child that already exited (a failing notifier command) raises SIGPIPE,
// which kills a process that does not ignore it (the CLI, a test): seen as a flaky test. While
// held, SIGPIPE is blocked for this thread; one raised meanwhile is consumed on release, and the
// write fails with EPIPE instead. Taken after the spawn: a child would inherit the mask.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    already_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlocked() {
    if (!already_pending_) {
      const timespec none{0, 0};
      while (sigtimedwait(&pipe_, nullptr, &none) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool already_pending_ = false;
};

std::optional<std::filesystem::path> resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (::access(program.c_str(), X_OK) == 0) return std::filesystem::path(program);
    return std::nullopt;
  }
  auto found = bp::search_path(program);
  if (found.empty()) return std::nullopt;
  return std::filesystem::path(found.string());
}

}  // namespace

Result<Outcome> run(const Command& command) {
  const auto path = resolve(command.program);
  if (!path) return Error{ErrorKind::not_found, "cannot run '" + command.program + "': not found or not executable"};

  boost::asio::io_context io;
  bp::async_pipe out_pipe(io), err_pipe(io), in_pipe(io);
  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : command.env_overrides) env[k] = v;
  bp::group group;
  Outcome outcome;
  const auto started = std::chrono::steady_clock::now();

  std::error_code spawn_error;
  bp::child child;
  try {
    child = bp::child(bp::exe = path->string(), bp::args = command.args, bp::std_out > out_pipe,
                      bp::std_err > err_pipe, bp::std_in < in_pipe, bp::env = env, group);
  } catch (const bp::process_error& e) {
    return Error{ErrorKind::spawn, "cannot start '" + command.program + "': " + e.what()};
  }
  const SigpipeBlocked no_sigpipe;
  Drain out(out_pipe, outcome.out, command.max_output_bytes);
  Drain err(err_pipe, outcome.err, command.max_output_bytes);
  out.start();
  err.start();
  if (command.stdin_data) {
    boost::asio::async_write(in_pipe, boost::asio::buffer(*command.stdin_data),
                             [&in_pipe](const boost::system::error_code&, std::size_t) { in_pipe.close(); });
  } else {
    in_pipe.close();
  }

  // Our own deadline: run the I/O loop until both pipes close or the deadline passes, and
  // reap with waitpid(WNOHANG) polling rather than child::wait_for.
  const auto deadline = started + command.deadline;
  int status = 0;
  bool reaped = false;
  while (!reaped) {
    io.run_for(std::chrono::milliseconds(10));
    if (io.stopped()) io.restart();
    const pid_t r = ::waitpid(child.id(), &status, WNOHANG);
    if (r == child.id()) reaped = true;
    if (!reaped && std::chrono::steady_clock::now() >= deadline) {
      outcome.timed_out = true;
      ::kill(-group.native_handle(), SIGTERM);
      const auto grace_end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (std::chrono::steady_clock::now() < grace_end && ::waitpid(child.id(), &status, WNOHANG) == 0) {
        io.run_for(std::chrono::milliseconds(10));
        if (io.stopped()) io.restart();
      }
      ::kill(-group.native_handle(), SIGKILL);
      ::waitpid(child.id(), &status, 0);
      reaped = true;
    }
  }
  // Whatever is still buffered in the pipes (bounded: grandchildren may keep them open).
  io.run_for(std::chrono::milliseconds(50));
  child.detach();  // already reaped by waitpid above
  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
  }
  outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return outcome;
}

std::string last_line(const std::string& output) {
  const auto end = output.find_last_not_of(" \r\n\t");
  if (end == std::string::npos) return "";
  const auto start = output.rfind('\n', end);
  const auto from = start == std::string::npos ? 0 : start + 1;
  const std::string line = output.substr(from, end - from + 1);
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

}  // namespace hsops::exec
