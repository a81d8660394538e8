// The exec notifier: the page on stdin and in the environment, a failing command named with
// its status and what it said, and a hung one killed at the deadline.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "alerting/notifiers/exec_command.h"
#include "support/sample_page.h"
#include "support/temp_dir.h"

using namespace hsops;
using namespace hsops::alerting;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("exec notifier: the page as JSON on stdin and HSOPS_ALERT_* in the environment") {
  test::TempDir dir;
  const auto out = dir.path() / "page";
  ExecOptions o;
  o.command = {"/bin/sh", "-c", "cat > \"$0\"; echo \"$HSOPS_ALERT_ID $HSOPS_ALERT_CHECK $HSOPS_ALERT_SEVERITY "
                                "$HSOPS_ALERT_EVENT $HSOPS_ALERT_TIER $HSOPS_ALERT_FINGERPRINT\" > \"$0.env\"",
               out.string()};
  const auto page = test::replication_page(Event::escalated);
  REQUIRE(run_exec_notifier(page, o).ok());
  const auto json = nlohmann::json::parse(slurp(out));
  CHECK(json["event"] == "escalated");
  CHECK(json["alert"]["check"] == "replication");
  CHECK(json["alert"]["labels"]["standby"] == "db2");
  CHECK(json["alert"]["id"] == page.alert.id);
  CHECK(slurp(out.string() + ".env") == page.alert.id + " replication " + std::string(to_string(page.alert.severity)) +
                                           " escalated " + std::to_string(page.tier) + " " + page.alert.fingerprint + "\n");
}

TEST_CASE("exec notifier: a failing, missing or hung command is an error that says which") {
  ExecOptions failing;
  failing.command = {"/bin/sh", "-c", "echo 'gateway: quota exceeded' >&2; exit 3"};
  const auto failed = run_exec_notifier(test::replication_page(Event::firing), failing);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().kind == ErrorKind::exit_status);
  CHECK(failed.error().message == "command /bin/sh exited with status 3: gateway: quota exceeded");

  ExecOptions missing;
  missing.command = {"/nonexistent/send-sms"};
  const auto absent = run_exec_notifier(test::replication_page(Event::firing), missing);
  REQUIRE_FALSE(absent.ok());
  CHECK(absent.error().kind == ErrorKind::not_found);

  ExecOptions hung;
  hung.command = {"/bin/sleep", "10"};
  hung.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  const auto timed_out = run_exec_notifier(test::replication_page(Event::firing), hung);
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().kind == ErrorKind::timeout);
  CHECK(std::chrono::steady_clock::now() - start < 3s);
}
