#include "checks/runner.h"

#include <future>

namespace hsops::checks {

RunResults run_all(const std::vector<std::shared_ptr<Check>>& checks, const Clock& clock,
                   std::chrono::milliseconds backstop) {
  // Side by side: `check all` takes as long as the slowest check, not the sum.
  std::vector<std::future<CheckResult>> running;
  running.reserve(checks.size());
  for (const auto& check : checks) {
    running.push_back(std::async(std::launch::async, [&clock, check, backstop] {
      return run_check(check, clock, backstop);
    }));
  }
  RunResults run;
  for (auto& f : running) {
    run.results.push_back(f.get());
    run.overall = worst(run.overall, run.results.back().status);
  }
  return run;
}

}  // namespace hsops::checks
