// PLACEHOLDER (the disk helper replaces this file).
#include "checks/disk.h"
namespace hsops::checks {
namespace {
class Placeholder : public Check {
 public:
  std::string name() const override { return "disk"; }
  CheckResult run() override { return CheckResult{"disk", Status::unknown, "not implemented yet", {}, {}, 0}; }
};
std::shared_ptr<Check> make(const config::Section& section, const Services&) {
  section.reject_unknown_keys();
  return std::make_shared<Placeholder>();
}
}  // namespace
CheckInfo disk_check_info() { return CheckInfo{"disk", "placeholder", "", true, "", &make}; }
}  // namespace hsops::checks
