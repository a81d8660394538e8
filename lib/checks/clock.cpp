// PLACEHOLDER (the clock helper replaces this file).
#include "checks/clock.h"
namespace hsops::checks {
namespace {
class Placeholder : public Check {
 public:
  std::string name() const override { return "clock"; }
  CheckResult run() override { return CheckResult{"clock", Status::unknown, "not implemented yet", {}, {}, 0}; }
};
std::shared_ptr<Check> make(const config::Section& section, const Services&) {
  section.reject_unknown_keys();
  return std::make_shared<Placeholder>();
}
}  // namespace
CheckInfo clock_check_info() { return CheckInfo{"clock", "placeholder", "", true, "", &make}; }
}  // namespace hsops::checks
