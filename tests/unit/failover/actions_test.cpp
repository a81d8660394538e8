#include <catch2/catch.hpp>

#include "failover/actions.h"
#include "support/local_http_server.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::failover;
using namespace std::chrono_literals;

namespace {

Playbook playbook(const std::string& spare_url) {
  Playbook p;
  p.active = "hs1";
  p.spare = "hs2";
  p.homeservers["hs1"] = HomeserverNode{"hs1", "http://127.0.0.1:9", Control{"", {"/bin/true"}, 5000ms}, Control{"", {"/bin/true"}, 5000ms}};
  p.homeservers["hs2"] = HomeserverNode{"hs2", spare_url, Control{"", {"/bin/false"}, 5000ms}, Control{"", {"/bin/true"}, 5000ms}};
  p.route.exec = ExecRoute{{{"hs1", {"/bin/true"}}, {"hs2", {"/bin/sh", "-c", "echo routed to hs2; exit 4"}}}, 5000ms};
  return p;
}

StepSpec spec(const std::string& type, const std::string& role = "") {
  StepSpec s;
  s.type = type;
  s.node_role = role;
  return s;
}

const Roles kRoles{"db1", "db2", "hs1", "hs2"};
RunState run_state;
auto soon() { return std::chrono::steady_clock::now() + 3s; }

}  // namespace

TEST_CASE("failover actions: exec runs argv and a failure names the command and its output", "[failover][actions]") {
  test::TempDir dir;
  const auto p = playbook("http://127.0.0.1:9");
  StepSpec ok = spec("exec");
  ok.command = {"/bin/sh", "-c", "touch " + (dir.path() / "ran").string() + "; echo done"};
  ok.undo_command = {"/bin/rm", (dir.path() / "ran").string()};
  auto a = make_action(ok, kRoles, p, run_state);
  REQUIRE(a);
  auto r = a->run(soon());
  REQUIRE(r.ok());
  CHECK(r->detail.find(": done") != std::string::npos);
  CHECK(std::filesystem::exists(dir.path() / "ran"));
  REQUIRE(a->can_undo());
  REQUIRE(a->undo(r.value(), soon()).ok());
  CHECK_FALSE(std::filesystem::exists(dir.path() / "ran"));

  StepSpec bad = spec("exec");
  bad.command = {"/bin/sh", "-c", "echo no VIP here >&2; exit 3"};
  auto failed = make_action(bad, kRoles, p, run_state)->run(soon());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().message == "`/bin/sh -c echo no VIP here >&2; exit 3` exited with 3: no VIP here");
}

TEST_CASE("failover actions: a command that outlives the step's deadline is killed and named", "[failover][actions]") {
  StepSpec slow = spec("exec");
  slow.command = {"/bin/sleep", "30"};
  const auto started = std::chrono::steady_clock::now();
  auto r = make_action(slow, kRoles, playbook("http://127.0.0.1:9"), run_state)->run(started + 500ms);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
}

TEST_CASE("failover actions: a control's own deadline ends its command within a longer step", "[failover][actions]") {
  auto p = playbook("http://127.0.0.1:9");
  p.homeservers["hs2"].start = Control{"", {"/bin/sleep", "30"}, 300ms};
  const auto started = std::chrono::steady_clock::now();
  auto r = make_action(spec("homeserver.start", "spare"), kRoles, p, run_state)->run(started + 20s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK_THAT(r.error().message, Catch::Contains("/bin/sleep 30") && Catch::Contains("did not finish in time"));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("failover actions: homeserver.start waits for versions and gives up at the deadline", "[failover][actions]") {
  // The spare's start command succeeds but nothing answers on its URL.
  const auto p = playbook("http://127.0.0.1:9");
  const auto started = std::chrono::steady_clock::now();
  auto r = make_action(spec("homeserver.start", "spare"), kRoles, p, run_state)->run(started + 1s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == ErrorKind::timeout);
  CHECK(r.error().message.rfind("hs2 was started but http://127.0.0.1:9/_matrix/client/versions did not answer in time", 0) == 0);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  // Stopping the spare runs its stop command (/bin/false here); it fails, but nothing answers
  // on the spare's URL: already stopped (what a resumed run finds).
  auto stop = make_action(spec("homeserver.stop", "spare"), kRoles, p, run_state)->run(soon());
  REQUIRE(stop.ok());
  CHECK(stop->detail.rfind("hs2 does not answer: already stopped (`/bin/false` exited with 1", 0) == 0);
}

TEST_CASE("failover actions: a failed stop of a homeserver that still answers is the step's failure", "[failover][actions]") {
  test::LocalHttpServer hs2;
  hs2.route("/_matrix/client/versions", {200, {}, R"({"versions":["v1.11"]})"});
  const auto p = playbook(hs2.url(""));
  auto stop = make_action(spec("homeserver.stop", "spare"), kRoles, p, run_state)->run(soon());
  REQUIRE_FALSE(stop.ok());
  CHECK(stop.error().kind == ErrorKind::exit_status);
  // Its start command failing while it serves is not a failure (a resumed run).
  auto p2 = p;
  p2.homeservers["hs2"].start = Control{"", {"/bin/false"}, 5000ms};
  auto start = make_action(spec("homeserver.start", "spare"), kRoles, p2, run_state)->run(soon());
  REQUIRE(start.ok());
  CHECK(start->detail == "hs2 serves " + hs2.url("") + "/_matrix/client/versions");
}

TEST_CASE("failover actions: route.switch through the exec route and steps without an action yet", "[failover][actions]") {
  const auto p = playbook("http://127.0.0.1:9");
  auto r = make_action(spec("route.switch", "spare"), kRoles, p, run_state)->run(soon());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "`/bin/sh -c echo routed to hs2; exit 4` exited with 4: routed to hs2");
  CHECK(make_action(spec("route.switch", "active"), kRoles, p, run_state)->run(soon()).ok());
  CHECK(make_action(spec("pg.promote", "standby"), kRoles, p, run_state) == nullptr);
}
