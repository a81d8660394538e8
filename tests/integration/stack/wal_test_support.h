// Shared by the wal and replication stack tests: run `hsops check <name>` as an operator does
// (JSON output), shell commands with a deadline, and superuser queries through lib/pg.
#pragma once

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "net/json.h"
#include "pg/connection.h"
#include "support/stack_env.h"

namespace hsops::test::wal {

namespace fs = std::filesystem;
using nlohmann::json;

struct Shell {
  int exit_code = -1;
  std::string out;
};

// `timeout` bounds every command: a wedged pg_ctl or mount cannot hang the suite.
inline Shell sh(const std::string& command, int seconds = 60) {
  std::string quoted;
  for (char c : command) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  const std::string cmd = "timeout " + std::to_string(seconds) + " sh -c '" + quoted + "' 2>&1";
  Shell r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

struct CheckRun {
  int exit_code = -1;
  json check;
  std::string raw;
  std::string status() const { return check.value("status", ""); }
  std::string summary() const { return check.value("summary", ""); }
};

inline CheckRun run_check(const std::string& name, const fs::path& config) {
  const Shell s = sh(HSOPS_BINARY_DIR "/cmd/hsops/hsops check " + name + " --format json --config " + config.string(), 60);
  CheckRun r;
  r.exit_code = s.exit_code;
  r.raw = s.out;
  const auto doc = json::parse(s.out, nullptr, false);
  INFO(s.out);
  REQUIRE(doc.is_object());
  r.check = doc["checks"][0];
  return r;
}

inline std::optional<double> metric(const json& check, const std::string& name, const std::string& label = "",
                                    const std::string& value = "") {
  for (const auto& m : check["measurements"]) {
    if (m["metric"] != name) continue;
    if (!label.empty() && m["labels"].value(label, "") != value) continue;
    if (m["value"].is_null()) return std::nullopt;
    return m["value"].get<double>();
  }
  return std::nullopt;
}

inline bool details_contain(const json& check, const std::string& text) {
  for (const auto& d : check["details"]) {
    if (d.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

// A fresh directory for one test's config and state, removed afterwards.
struct Workdir {
  fs::path dir;
  explicit Workdir(const std::string& tag) {
    dir = fs::temp_directory_path() / ("hsops-" + tag + "-it-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Workdir() { fs::remove_all(dir); }
  Workdir(const Workdir&) = delete;
  Workdir& operator=(const Workdir&) = delete;
  fs::path write(const std::string& name, const std::string& text) const {
    const auto p = dir / name;
    std::ofstream(p) << text;
    ::chmod(p.c_str(), 0600);
    return p;
  }
};

inline pg::Connection superuser(const std::string& conninfo) {
  auto c = pg::Connection::open(conninfo);
  INFO(conninfo);
  if (!c) FAIL(c.error().message);
  return std::move(c).value();
}

inline std::string one(pg::Connection& db, const std::string& sql, const pg::Params& params = {}) {
  auto r = db.query(sql, params);
  INFO(sql);
  if (!r) FAIL(r.error().message);
  REQUIRE(r->size() == 1);
  return r->rows[0][0].value_or("");
}

// Polls `done` every 200 ms for at most `limit`.
template <typename F>
bool wait_until(F done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// Writes ~`mb` MiB of WAL on the primary (a table of 1 KiB rows).
inline void generate_wal(pg::Connection& db, const std::string& table, int mb) {
  auto r = db.query("SELECT to_regclass($1) IS NULL", {table});
  if (!r) FAIL(r.error().message);
  if (r->rows[0][0] == "t") r = db.query("CREATE TABLE " + table + " (x text)");
  if (!r) FAIL(r.error().message);
  r = db.query("INSERT INTO " + table + " SELECT repeat(md5(i::text), 32) FROM generate_series(1, $1::int * 1024) i",
               {std::to_string(mb)});
  if (!r) FAIL(r.error().message);
}

// Stops the stack's standby; starts it again (as tests/harness/lib/pg.sh does) when it goes.
class StandbyStopped {
 public:
  StandbyStopped() : data_(stack_env().get("HSOPS_PG_STANDBY_DATA")) {
    const auto r = sh(pg_ctl() + " -D " + data_ + " -m fast -w -t 60 stop", 90);
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
  }
  ~StandbyStopped() { start(); }
  StandbyStopped(const StandbyStopped&) = delete;
  StandbyStopped& operator=(const StandbyStopped&) = delete;

  void start() {
    if (started_) return;
    started_ = true;
    const auto& env = stack_env();
    const std::string log = fs::path(data_).parent_path() / "log" / "standby.log";
    const auto r = sh(pg_ctl() + " -D " + data_ + " -l " + log + " -o \"-p " + env.get("HSOPS_PG_STANDBY_PORT") +
                          "\" -w -t 60 start",
                      90);
    if (r.exit_code != 0) WARN("restarting the stack's standby failed: " + r.out);
  }

 private:
  static std::string pg_ctl() {
    const auto& env = stack_env();
    return "runuser -u " + env.get("HSOPS_PG_OS_USER") + " -- " + env.get("HSOPS_PG_BIN") + "/pg_ctl";
  }
  std::string data_;
  bool started_ = false;
};

}  // namespace hsops::test::wal
