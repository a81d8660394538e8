// The homeserver follows Patroni on the real profile (tests/harness/patroni: etcd, two Patroni
// nodes, haproxy, Synapse hs1/hs2 through haproxy, the generated playbook): kill -9 of the
// leader's Patroni and PostgreSQL while `hsops failover follow` runs and a writer sends a
// message every 100 ms through the public route; `hsops failover drill` through Patroni's REST
// API (the drill's refusal with etcd stopped is in check_patroni_test, inside its outage).
// Both PostgreSQL nodes are sampled every 100 ms throughout: never two writable primaries.
#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <optional>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "exec/exec.h"
#include "net/http.h"
#include "support/child_process.h"
#include "support/matrix_writer.h"
#include "support/patroni_env.h"
#include "support/split_brain_watch.h"
#include "support/temp_dir.h"

using namespace std::chrono_literals;
using hsops::test::patroni_env;
using Steady = std::chrono::steady_clock;

namespace {

const std::string kHsops = HSOPS_BINARY_DIR "/cmd/hsops/hsops";

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

template <typename Pred>
bool wait_until(std::chrono::milliseconds limit, Pred pred) {
  const auto until = Steady::now() + limit;
  while (Steady::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(250ms);
  }
  return pred();
}

std::string conninfo(const std::string& node) { return patroni_env().get("HSOPS_PATRONI_" + upper(node)); }
std::filesystem::path state_dir() { return std::filesystem::path(patroni_env().get("HSOPS_PATRONI_DIR")) / "failover"; }

// The running leader and whether the other member replicates with a known lag.
struct ClusterView {
  std::string leader, replica;
  bool paused = false;
};
ClusterView cluster() {
  ClusterView v;
  for (const char* key : {"HSOPS_PATRONI_PG1_URL", "HSOPS_PATRONI_PG2_URL"}) {
    auto r = hsops::net::get(patroni_env().get(key) + "/cluster", {1000ms, 3000ms});
    if (!r.ok() || r->status != 200) continue;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_discarded()) continue;
    v.paused = j.value("pause", false);
    for (const auto& m : j.value("members", nlohmann::json::array())) {
      const bool running = m.value("state", "") == "running" || m.value("state", "") == "streaming";
      if (m.value("role", "") == "leader" && running) v.leader = m.value("name", "");
      if (m.value("role", "") == "replica" && running && m.contains("lag") && m["lag"].is_number()) {
        v.replica = m.value("name", "");
      }
    }
    return v;
  }
  return v;
}
bool healthy() {
  const auto c = cluster();
  return !c.leader.empty() && !c.replica.empty() && !c.paused;
}

struct CliRun {
  int exit_code = -1;
  std::string out;
};
CliRun hsops_cli(const std::vector<std::string>& args, std::chrono::seconds limit = 300s) {
  hsops::exec::Command c(kHsops, args);
  c.deadline = limit;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  return {r->exit_code, r->out + r->err};
}

void harness(const std::vector<std::string>& args) {
  hsops::exec::Command c(patroni_env().get("HSOPS_PATRONI_SCRIPT"), args);
  c.deadline = 150s;
  auto r = hsops::exec::run(c);
  REQUIRE(r.ok());
  INFO("tests/harness/patroni " << args.front() << ": " << r->out << r->err);
  REQUIRE(r->exit_code == 0);
}

long read_pid(const std::string& file) {
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return pid;
}

std::unique_ptr<hsops::test::MatrixWriter> logged_in_writer(const std::string& device) {
  const auto& env = patroni_env();
  auto w = std::make_unique<hsops::test::MatrixWriter>(env.get("HSOPS_PATRONI_SYNAPSE_URL"));
  w->login(env.get("HSOPS_PATRONI_PROBE_USER"), env.secret("HSOPS_PATRONI_PROBE_PASSWORD_FILE"), device);
  w->create_room();
  return w;
}

// When Patroni on `node` last logged taking the leader lock after `after` (unix seconds):
// "2026-12-06 02:52:39,908 INFO: promoted self to leader by acquiring session lock", in local
// time (Python logging's asctime).
std::optional<double> promoted_at(const std::string& log, double after) {
  std::ifstream in(log);
  std::string line;
  std::optional<double> found;
  while (std::getline(in, line)) {
    if (line.find("promoted self to leader") == std::string::npos || line.size() < 23) continue;
    std::tm tm{};
    if (::strptime(line.substr(0, 19).c_str(), "%Y-%m-%d %H:%M:%S", &tm) == nullptr) continue;
    tm.tm_isdst = -1;
    const double at = static_cast<double>(std::mktime(&tm)) + std::stod(line.substr(20, 3)) / 1000.0;
    if (at >= after) found = at;
  }
  return found;
}

nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  return nlohmann::json::parse(in, nullptr, false);
}

// `hsops failover follow` on the profile's playbook (poll every 250 ms), returned once its
// follow.json shows it has adopted `leader`.
std::unique_ptr<hsops::test::ChildProcess> start_follower(const hsops::test::TempDir& dir, const std::string& leader) {
  auto follower = std::make_unique<hsops::test::ChildProcess>(
      std::vector<std::string>{kHsops, "failover", "follow", patroni_env().get("HSOPS_PATRONI_PLAYBOOK"), "--poll-interval", "250ms"},
      dir.path() / "follow.out");
  REQUIRE(wait_until(20s, [&] {
    const auto j = read_json(state_dir() / "follow.json");
    return j.is_object() && j.value("pid", 0L) == follower->pid() && j["leader"] == leader;
  }));
  return follower;
}

}  // namespace

TEST_CASE("follow: kill -9 of the leader moves Synapse after Patroni with no acknowledged message lost",
          "[failover][patroni][follow]") {
  const auto& env = patroni_env();
  REQUIRE(wait_until(90s, healthy));
  const auto before = cluster();
  const std::string old_leader = before.leader, new_leader = before.replica;

  hsops::test::TempDir dir;
  // The follower has adopted the leader (its first poll) before anything breaks.
  auto follower_process = start_follower(dir, old_leader);
  auto& follower = *follower_process;
  const auto follow_file = state_dir() / "follow.json";
  const int changes_before = read_json(follow_file).value("changes", 0);
  const std::string active_before = read_json(follow_file).value("active_homeserver", "");
  REQUIRE_FALSE(active_before.empty());

  auto writer = logged_in_writer("HSOPS_FOLLOW_TEST");
  hsops::test::SplitBrainWatch watch(conninfo("pg1"), conninfo("pg2"));
  writer->start_every_100ms("follow");
  std::this_thread::sleep_for(1s);  // some acknowledged writes before the fault

  const long patroni_pid = read_pid(env.get("HSOPS_PATRONI_" + upper(old_leader) + "_PID_FILE"));
  const long postmaster_pid = read_pid(env.get("HSOPS_PATRONI_" + upper(old_leader) + "_POSTMASTER_PID_FILE"));
  REQUIRE(patroni_pid > 1);
  REQUIRE(postmaster_pid > 1);
  const auto t_kill = Steady::now();
  const double kill_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  REQUIRE(::kill(static_cast<pid_t>(patroni_pid), SIGKILL) == 0);
  REQUIRE(::kill(static_cast<pid_t>(postmaster_pid), SIGKILL) == 0);

  // Patroni elects the replica after the ttl; the follower moves Synapse and probes.
  nlohmann::json state;
  bool saw_no_leader = false;  // the follower said so while Patroni's lock expired
  const bool followed = wait_until(90s, [&] {
    state = read_json(follow_file);
    saw_no_leader = saw_no_leader || (state.is_object() && state["no_leader_since"].is_number());
    return state.is_object() && state.value("changes", 0) > changes_before;
  });
  const double kill_to_followed = std::chrono::duration<double>(Steady::now() - t_kill).count();
  std::this_thread::sleep_for(1s);  // acknowledged writes after the move
  writer->stop();
  INFO("follower output:\n" << follower.output());
  INFO("follow.json: " << state.dump());
  REQUIRE(followed);
  const auto& change = state.at("last_change");
  CHECK(change.at("from") == old_leader);
  CHECK(change.at("to") == new_leader);
  REQUIRE(change.at("ok") == true);
  REQUIRE(change.at("rto_seconds").is_number());
  CHECK(change.at("rto_seconds").get<double>() > 0);
  CHECK(change.at("hsops_seconds").get<double>() < change.at("rto_seconds").get<double>());
  CHECK(state.at("active_homeserver") != active_before);
  // The follower's log says it too: the measured RTO.
  CHECK(contains(follower.output(), "the homeserver followed: RTO"));
  CHECK(saw_no_leader);
  // And the failover_follow check (the watchdog's "leader changed" page) tells it with the RTO.
  const auto config = dir.path() / "hsops.yaml";
  std::ofstream(config) << "state_dir: " << (dir.path() / "state").string() << "\n"
                        << "checks:\n  failover_follow:\n    playbook: " << env.get("HSOPS_PATRONI_PLAYBOOK") << "\n";
  const auto notice = hsops_cli({"--config", config.string(), "check", "failover_follow"}, 30s);
  INFO(notice.out);
  CHECK(notice.exit_code == 1);
  CHECK(contains(notice.out, "leader changed " + old_leader + " -> " + new_leader));
  CHECK(contains(notice.out, "RTO"));
  // The unplanned RTO from the kill itself, split where Patroni logs "promoted self to leader by
  // acquiring session lock" on the new leader: Patroni's part (lock expiry and the election)
  // and hsops's part (the promotion's last 0.1 s, detection by the follower's poll, moving
  // Synapse, the probe).
  const double elected = change.at("leader_elected_at").get<double>();
  const double probed = change.at("followed_at").get<double>();
  const double promoted = promoted_at(env.get("HSOPS_PATRONI_" + upper(new_leader) + "_LOG"), kill_at).value_or(elected);
  std::cout << "follow after kill -9 of " << old_leader << ": kill to good probe " << probed - kill_at
            << " s = Patroni " << promoted - kill_at << " s + hsops " << probed - promoted << " s (of which detection "
            << elected - promoted << " s); the follower's own RTO " << change.at("rto_seconds").get<double>()
            << " s from its last sight of the old leader; follow.json had it " << kill_to_followed << " s after the kill\n";
  std::cout << "follow bench: total=" << probed - kill_at << " patroni=" << promoted - kill_at
            << " hsops=" << probed - promoted << " detect=" << elected - promoted << " ttl=" << env.get("HSOPS_PATRONI_TTL")
            << "\n";
  CHECK(probed - elected < 30);  // generous: the bench (tests/bench/patroni_follow_bench.sh) measures it

  // Zero acknowledged loss through the public route, now served by the spare.
  const auto missing = writer->missing();
  std::cout << "follow writer: " << writer->acked().size() << " acknowledged, " << writer->refused()
            << " refused or unanswered, " << missing.size() << " acknowledged ones missing\n";
  CHECK(missing.empty());
  CHECK(writer->acked().size() > 10);
  CHECK(writer->send("after follow").has_value());

  // The follower stops cleanly on SIGTERM.
  follower.signal(SIGTERM);
  const auto code = follower.wait_exit(15s);
  REQUIRE(code.has_value());
  CHECK(*code == 0);

  // The killed node rejoins as a replica (restarted with the harness) for the tests after this.
  harness({"node", "start", old_leader});
  CHECK(wait_until(90s, healthy));
  watch.stop();
  CHECK(watch.samples() > 50);
  CHECK(watch.both_writable() == 0);
  CHECK(watch.one_writable() > 0);
}

TEST_CASE("follow: the drill on the Patroni profile goes there and back through Patroni's REST API",
          "[failover][patroni][follow]") {
  const auto& env = patroni_env();
  REQUIRE(wait_until(90s, healthy));
  const std::string leader = cluster().leader;
  // A follower runs meanwhile: the drill holds the run lock and moves the homeserver itself, so
  // the follower only notes the leader changes.
  hsops::test::TempDir dir;
  auto follower_process = start_follower(dir, leader);
  auto& follower = *follower_process;
  const auto follow_file = state_dir() / "follow.json";
  const auto follow_before = read_json(follow_file);
  hsops::test::SplitBrainWatch watch(conninfo("pg1"), conninfo("pg2"));
  const auto run = hsops_cli({"failover", "drill", env.get("HSOPS_PATRONI_PLAYBOOK"), "--yes"});
  watch.stop();
  std::this_thread::sleep_for(7s);  // the follower re-reads the route once the drill is done
  follower.signal(SIGTERM);
  CHECK(follower.wait_exit(15s) == std::optional<int>(0));
  {
    INFO("follower output:\n" << follower.output());
    CHECK(contains(follower.output(), "not following"));
    const auto follow_after = read_json(follow_file);
    CHECK(follow_after.value("changes", -1) == follow_before.value("changes", -2));
    CHECK(follow_after["active_homeserver"] == follow_before["active_homeserver"]);
    CHECK(follow_after["leader"] == leader);
  }
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "Successfully switched over"));
  const auto report = read_json(state_dir() / "last-drill.json");
  REQUIRE(report.is_object());
  CHECK(report.at("ok") == true);
  REQUIRE(report.at("rto_seconds").is_number());
  REQUIRE(report.at("rto_back_seconds").is_number());
  std::cout << "patroni drill: RTO there " << report.at("rto_seconds").get<double>() << " s, back "
            << report.at("rto_back_seconds").get<double>() << " s, in all " << report.at("seconds").get<double>() << " s\n";
  bool marker_checked = false;
  for (const auto& s : report.at("steps")) {
    CHECK(s.at("state") == "done");
    marker_checked = marker_checked || s.at("type") == "marker.check";
  }
  CHECK(marker_checked);
  CHECK(wait_until(60s, [&] { return cluster().leader == leader && healthy(); }));
  CHECK(watch.samples() > 20);
  CHECK(watch.both_writable() == 0);
}
