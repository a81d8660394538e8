#include "core/check.h"

#include <exception>
#include <future>
#include <memory>
#include <thread>

namespace hsops {

Status evaluate(const Measurement& m) {
  if (m.critical && m.critical->alerts(m.value)) return Status::critical;
  if (m.warning && m.warning->alerts(m.value)) return Status::warning;
  return Status::ok;
}

CheckResult run_check(std::shared_ptr<Check> check, const Clock& clock, std::chrono::milliseconds backstop) {
  const auto started = clock.monotonic();
  auto finish = [&](CheckResult r) {
    if (r.check.empty()) r.check = check->name();
    r.duration_seconds = std::chrono::duration<double>(clock.monotonic() - started).count();
    return r;
  };
  auto unknown = [&](std::string why) {
    CheckResult r;
    r.check = check->name();
    r.status = Status::unknown;
    r.summary = std::move(why);
    return finish(std::move(r));
  };

  // The promise is shared with the worker so that a check outliving the backstop can still
  // complete it safely after we have returned.
  auto promise = std::make_shared<std::promise<CheckResult>>();
  auto future = promise->get_future();
  std::thread worker([check, promise] {
    try {
      promise->set_value(check->run());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  if (future.wait_for(backstop) != std::future_status::ready) {
    worker.detach();
    return unknown("check did not finish within " + std::to_string(backstop.count()) +
                   " ms (a call without its own deadline?)");
  }
  worker.join();
  try {
    return finish(future.get());
  } catch (const std::exception& e) {
    return unknown(std::string("internal error: ") + e.what());
  } catch (...) {
    return unknown("internal error: unknown exception");
  }
}

}  // namespace hsops
