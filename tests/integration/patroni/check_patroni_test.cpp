// `hsops check patroni` against the Patroni profile's real cluster (tests/harness/patroni):
// OK while it is healthy; with etcd stopped, CRITICAL saying that nothing can fail over and
// that the leader demotes itself, and `hsops failover drill` refuses; OK again once etcd is back. Runs before the profile's
// failover test (file order), and leaves the cluster healthy.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "exec/exec.h"
#include "support/patroni_env.h"
#include "support/split_brain_watch.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using hsops::test::patroni_env;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

struct Checked {
  int exit_code = -1;
  std::string out;
};

// The profile's members, and a DCS contact older than 5 s counts as lost (loop_wait is 2 s).
std::string write_config(const hsops::test::TempDir& dir) {
  const auto& env = patroni_env();
  const auto file = (dir.path() / "hsops.yaml").string();
  std::ofstream(file) << "state_dir: " << (dir.path() / "state").string() << "\n"
                      << "checks:\n  patroni:\n    urls: [" << env.get("HSOPS_PATRONI_PG1_URL") << ", "
                      << env.get("HSOPS_PATRONI_PG2_URL") << "]\n    dcs_max_age: 5s\n";
  return file;
}

Checked check(const std::string& config) {
  hsops::exec::Command c(kHsops, {"--config", config, "check", "patroni", "-t", "3s"});
  c.deadline = 20s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->timed_out);
  return {r->exit_code, r->out + r->err};
}

// Polls the check until `done` holds or `limit` passes; returns the last answer.
template <typename Done>
Checked check_until(const std::string& config, std::chrono::seconds limit, Done done) {
  const auto until = std::chrono::steady_clock::now() + limit;
  Checked last = check(config);
  while (!done(last) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(1s);
    last = check(config);
  }
  return last;
}

void etcd(const std::string& action) {
  hsops::exec::Command c(patroni_env().get("HSOPS_PATRONI_SCRIPT"), {"etcd", action});
  c.deadline = 60s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  INFO(r->out << r->err);
  REQUIRE(r->exit_code == 0);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("check patroni on the real cluster: OK then etcd stopped is CRITICAL with what it means then OK again",
          "[patroni][integration]") {
  hsops::test::TempDir dir;
  const auto config = write_config(dir);
  const auto ok = check_until(config, 60s, [](const Checked& c) { return c.exit_code == 0; });
  INFO(ok.out);
  REQUIRE(ok.exit_code == 0);
  CHECK(contains(ok.out, "PATRONI OK - leader "));
  CHECK(contains(ok.out, "1 replica streaming"));

  // Without etcd the leader cannot renew its lock and demotes itself; when etcd is back one
  // member leads again. Both nodes are sampled throughout: never two writable primaries.
  hsops::test::SplitBrainWatch watch(patroni_env().get("HSOPS_PATRONI_PG1"), patroni_env().get("HSOPS_PATRONI_PG2"));
  etcd("stop");
  // Patroni's loop_wait is 2 s and the check's dcs_max_age 5 s: well within 40 s.
  const auto outage = check_until(config, 40s, [](const Checked& c) { return c.exit_code == 2; });
  // And the drill refuses: with no DCS, Patroni can neither switch over nor fail over.
  hsops::exec::Command drill_cmd(kHsops, {"failover", "drill", patroni_env().get("HSOPS_PATRONI_PLAYBOOK"), "--yes"});
  drill_cmd.deadline = 60s;
  const auto drill = hsops::exec::run(drill_cmd);
  etcd("start");
  {
    REQUIRE(drill.ok());
    INFO(drill->out << drill->err);
    CHECK(drill->exit_code == 1);
    CHECK(contains(drill->out, "drill refused"));
    CHECK(contains(drill->out, "etcd"));
    CHECK(contains(drill->out, "nothing was changed"));
  }
  {
    INFO(outage.out);
    CHECK(outage.exit_code == 2);
    CHECK(contains(outage.out, "etcd unreachable from every member: no failover is possible"));
    CHECK(contains(outage.out, "demotes itself unless failsafe_mode is on"));
  }

  // etcd back: Patroni elects a leader again and the replica follows it.
  const auto again = check_until(config, 90s, [](const Checked& c) { return c.exit_code == 0; });
  INFO(again.out);
  CHECK(again.exit_code == 0);
  // Leave the profile fully up for the next test: the harness's status also wants the leader's
  // pg_stat_replication to show the replica streaming, which can lag /cluster by a loop.
  bool fully_up = false;
  for (const auto until = std::chrono::steady_clock::now() + 60s; !fully_up && std::chrono::steady_clock::now() < until;) {
    hsops::exec::Command status(patroni_env().get("HSOPS_PATRONI_SCRIPT"), {"status"});
    status.deadline = 30s;
    auto r = hsops::exec::run(status);
    fully_up = r.ok() && r->exit_code == 0;
    if (!fully_up) std::this_thread::sleep_for(1s);
  }
  CHECK(fully_up);
  watch.stop();
  CHECK(watch.samples() > 50);
  CHECK(watch.both_writable() == 0);
  CHECK(watch.one_writable() > 0);
}
