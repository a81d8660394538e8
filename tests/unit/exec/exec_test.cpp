#include <catch2/catch.hpp>

#include <csignal>

#include "exec/exec.h"

using namespace hsops;
using namespace std::chrono_literals;

TEST_CASE("captures stdout / stderr and the exit code", "[exec]") {
  auto r = exec::run({"/bin/sh", {"-c", "echo out; echo err >&2; exit 7"}});
  REQUIRE(r.ok());
  CHECK(r->out == "out\n");
  CHECK(r->err == "err\n");
  CHECK(r->exit_code == 7);
  CHECK_FALSE(r->timed_out);
}

TEST_CASE("a child past its deadline is killed with its process group", "[exec]") {
  exec::Command c{"/bin/sh", {"-c", "sleep 30 & sleep 30; echo never"}};
  c.deadline = 300ms;
  auto r = exec::run(c);
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->elapsed < 2000ms);
  CHECK(r->out.empty());
}

TEST_CASE("a child that ignores SIGTERM is killed after the grace second", "[exec]") {
  exec::Command c{"/bin/sh", {"-c", "trap '' TERM; sleep 30"}};
  c.deadline = 200ms;
  auto r = exec::run(c);
  REQUIRE(r.ok());
  CHECK(r->timed_out);
  CHECK(r->elapsed < 3000ms);
}

TEST_CASE("stdin data reaches the child - env overrides apply", "[exec]") {
  exec::Command c{"/bin/sh", {"-c", "read line; echo \"$line-$HSOPS_TEST_VAR\""}};
  c.stdin_data = "hello\n";
  c.env_overrides = {{"HSOPS_TEST_VAR", "x"}};
  auto r = exec::run(c);
  REQUIRE(r.ok());
  CHECK(r->out == "hello-x\n");
}

TEST_CASE("a missing program is an error value / not an exception", "[exec]") {
  auto r = exec::run({"/nonexistent/prog", {}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == hsops::ErrorKind::not_found);
  auto r2 = exec::run({"no-such-program-hsops", {}});
  REQUIRE_FALSE(r2.ok());
}

TEST_CASE("output beyond the cap is dropped / not buffered without bound", "[exec]") {
  exec::Command c{"/bin/sh", {"-c", "head -c 100000 /dev/zero"}};
  c.max_output_bytes = 1000;
  auto r = exec::run(c);
  REQUIRE(r.ok());
  CHECK(r->out.size() == 1000);
  CHECK(r->exit_code == 0);
}

TEST_CASE("stdin for a child that exits without reading it does not kill us with SIGPIPE", "[exec]") {
  // 1 MiB does not fit the pipe: the write is still going when `exit 3` closes the other end.
  for (int i = 0; i < 20; ++i) {
    exec::Command c{"/bin/sh", {"-c", "exit 3"}};
    c.stdin_data = std::string(1 << 20, 'x');
    auto r = exec::run(c);
    REQUIRE(r.ok());
    CHECK(r->exit_code == 3);
  }
  // Nothing left pending for the next write in this thread.
  sigset_t pending;
  sigpending(&pending);
  CHECK(sigismember(&pending, SIGPIPE) == 0);
}
