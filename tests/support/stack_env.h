// The test stack's names for Catch2 tests: reads the env file `tests/harness/stack up` writes
// (KEY=VALUE lines). Path: $HSOPS_STACK_ENV, else $HSOPS_STACK_DIR/env, else
// /tmp/hsops-stack/env. Tests that need the stack call hsops::test::stack_env(), which fails
// the test with a message saying how to bring the stack up when it is not there.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace hsops::test {

class StackEnv {
 public:
  static std::string default_path() {
    if (const char* p = std::getenv("HSOPS_STACK_ENV"); p != nullptr && *p != '\0') return p;
    if (const char* d = std::getenv("HSOPS_STACK_DIR"); d != nullptr && *d != '\0') return std::string(d) + "/env";
    return "/tmp/hsops-stack/env";
  }

  // nullopt (with the reason in *why) when the file is missing or unreadable.
  static std::optional<StackEnv> load(const std::string& path, std::string* why = nullptr) {
    std::ifstream in(path);
    if (!in) {
      if (why != nullptr) {
        *why = "no stack env file at " + path +
               ": the test stack is not up. Run `tests/harness/stack up` (or `ctest -L integration`, whose "
               "stack-up fixture does it), or set HSOPS_STACK_ENV / HSOPS_STACK_DIR";
      }
      return std::nullopt;
    }
    StackEnv env;
    env.path_ = path;
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      env.values_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return env;
  }

  // The value of KEY; throws std::runtime_error naming the file when it is absent.
  const std::string& get(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw std::runtime_error(key + " is not set in " + path_ + " (stack too old? rerun `tests/harness/stack up`)");
    return it->second;
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::string& path() const { return path_; }

  // First line of a secret file (password files are 0600, one line).
  static std::string read_secret(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read secret file " + file);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
  }
  // The secret named by a *_FILE key, e.g. secret("HSOPS_PROBE_PASSWORD_FILE").
  std::string secret(const std::string& file_key) const { return read_secret(get(file_key)); }

 private:
  std::string path_;
  std::map<std::string, std::string> values_;
};

// The stack env for the current test, loaded once; FAILs the test (never passes silently)
// when the stack is not up.
inline const StackEnv& stack_env() {
  static std::string why;
  static const std::optional<StackEnv> env = StackEnv::load(StackEnv::default_path(), &why);
  if (!env) FAIL(why);
  return *env;
}

}  // namespace hsops::test
