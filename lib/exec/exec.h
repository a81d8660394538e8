// The one way hsops runs a child process: a hard deadline on every child, the whole process
// group killed when it passes, output captured. Boost.Process v1 (Boost 1.74) is used only
// here, because its own wait_for can overrun or block (boostorg/process #69, #204, #347).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hsops::exec {

struct Command {
  Command(std::string program_, std::vector<std::string> args_ = {})
      : program(std::move(program_)), args(std::move(args_)) {}
  std::string program;                 // absolute path, or a name looked up in PATH
  std::vector<std::string> args;
  std::chrono::milliseconds deadline{10000};
  std::map<std::string, std::string> env_overrides;  // added to (or replacing in) our environment
  std::optional<std::string> stdin_data;             // nullopt: stdin is closed
  std::size_t max_output_bytes = 1 << 20;            // per stream; the rest is dropped
};

struct Outcome {
  int exit_code = -1;          // -1 when killed by a signal
  int signal = 0;              // the terminating signal, 0 if it exited
  bool timed_out = false;      // killed by us at the deadline
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

// Runs the command to completion or to its deadline (then SIGTERM, 1 s grace, SIGKILL to the
// process group). Errors: "not_found" (no such program), "spawn" (could not start).
// A non-zero exit or a timeout is an Outcome, not an Error: callers decide what it means.
Result<Outcome> run(const Command& command);

// The last non-blank line of a child's output, at most 300 characters ("..." when cut): what an
// error or a notification quotes of what the command said.
std::string last_line(const std::string& output);

}  // namespace hsops::exec
