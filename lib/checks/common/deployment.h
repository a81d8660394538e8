// Which deployment a failover check looks at: the playbook's name and state_dir, where
// `hsops failover drill` and `hsops failover follow` leave their records. Shared by the
// failover_drill and failover_follow checks.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.h"

namespace hsops::checks {

// Where the failover records of one deployment are kept.
struct Deployment {
  std::string name;                  // the playbook's name ("" when only state_dir is known)
  std::filesystem::path state_dir;
};

// The playbook's name and state_dir (default /var/lib/hsops/failover, as the playbook loader
// says). Only these two keys are read: the checks need neither the playbook's secrets nor its
// steps, and `hsops failover plan` validates the rest.
Result<Deployment> read_deployment(const std::filesystem::path& playbook);

}  // namespace hsops::checks
