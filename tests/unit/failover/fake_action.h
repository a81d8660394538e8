// Fake actions for the engine, resume and rollback tests: each records what it was asked to do
// ("run pg.fence db1", "undo homeserver.stop hs1", "resume pg.fence db1") and fails when told.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "failover/engine.h"

namespace hsops::failover::test_fakes {

// A fake step: takes `seconds` of fake time, fails when told, records runs and undos.
struct Script {
  std::map<std::string, double> seconds;     // type -> fake seconds it takes
  std::set<std::string> fails;               // types that fail
  std::set<std::string> undo_fails;          // types whose undo fails
  std::vector<std::string> calls;            // "run pg.fence db1", "undo homeserver.stop hs1"
};

class FakeAction final : public Action {
 public:
  FakeAction(Script& script, FakeClock& clock, std::string type, std::string node)
      : script_(script), clock_(clock), type_(std::move(type)), node_(std::move(node)) {}
  Result<ActionResult> run(std::chrono::steady_clock::time_point) override {
    script_.calls.push_back("run " + type_ + " " + node_);
    if (script_.seconds.count(type_)) clock_.advance(std::chrono::milliseconds(static_cast<long>(script_.seconds[type_] * 1000)));
    if (script_.fails.count(type_)) return Error{ErrorKind::exit_status, type_ + " on " + node_ + " failed"};
    return ActionResult{type_ + " " + node_ + " ok", {{"node", node_}}};
  }
  bool can_undo() const override {
    return type_ == "homeserver.stop" || type_ == "pg.fence" || type_ == "homeserver.start" || type_ == "route.switch";
  }
  Result<ActionResult> undo(const ActionResult& done, std::chrono::steady_clock::time_point) override {
    script_.calls.push_back("undo " + type_ + " " + done.data.value("node", ""));
    if (script_.undo_fails.count(type_)) return Error{ErrorKind::exit_status, "start refused"};
    return ActionResult{"started " + node_, {}};
  }
  void resume_from(const ActionResult& earlier) override { script_.calls.push_back("resume " + type_ + " " + earlier.data.value("node", "")); }

 private:
  Script& script_;
  FakeClock& clock_;
  std::string type_, node_;
};

}  // namespace hsops::failover::test_fakes
