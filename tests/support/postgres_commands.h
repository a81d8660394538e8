// PostgreSQL 15's programs for tests that run clusters of their own (as the `postgres` OS
// user, under runuser), each bounded: initdb, pg_ctl, pg_basebackup in the failover tests.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "exec/exec.h"

namespace hsops::test {

inline const std::string kPgBin = "/usr/lib/postgresql/15/bin/";

inline std::vector<std::string> as_postgres(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return argv;
}

// Runs argv (2 minutes at most) and requires exit 0, showing its output otherwise.
inline void run_ok(const std::vector<std::string>& argv) {
  hsops::exec::Command c(argv.front(), std::vector<std::string>(argv.begin() + 1, argv.end()));
  c.deadline = std::chrono::seconds(120);
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  INFO(r->out << r->err);
  REQUIRE(r->exit_code == 0);
}

}  // namespace hsops::test
