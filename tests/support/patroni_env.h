// The Patroni profile's names for Catch2 tests (tests/harness/patroni, docs/testing.md): its env
// file is $HSOPS_PATRONI_ENV, else $HSOPS_PATRONI_DIR/env, else /tmp/hsops-patroni/env. Fails
// the test saying how to bring the profile up when it is not there.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include "support/stack_env.h"

namespace hsops::test {

inline const StackEnv& patroni_env() {
  static std::string why;
  static const std::optional<StackEnv> env = [] {
    std::string path = "/tmp/hsops-patroni/env";
    if (const char* p = std::getenv("HSOPS_PATRONI_ENV"); p != nullptr && *p != '\0') {
      path = p;
    } else if (const char* d = std::getenv("HSOPS_PATRONI_DIR"); d != nullptr && *d != '\0') {
      path = std::string(d) + "/env";
    }
    auto e = StackEnv::load(path, &why);
    if (!e) why = "no Patroni profile env file at " + path + ": run `tests/harness/patroni up` (or `ctest -R patroni`, whose patroni-up fixture does it)";
    return e;
  }();
  if (!env) FAIL(why);
  return *env;
}

}  // namespace hsops::test
