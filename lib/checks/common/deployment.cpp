#include "checks/common/deployment.h"

#include "config/config.h"

namespace hsops::checks {

Result<Deployment> read_deployment(const std::filesystem::path& playbook) {
  try {
    const auto doc = config::Document::load(playbook);
    const auto root = doc.root();
    Deployment d;
    d.name = root.string("name", "");
    // The playbook loader's default; it refuses a playbook without a name or with a relative
    // state_dir, so the checks do too rather than guess.
    d.state_dir = root.string("state_dir", "/var/lib/hsops/failover");
    if (d.name.empty()) return Error{ErrorKind::config, "playbook " + playbook.string() + " has no name: `hsops failover plan` says what is wrong"};
    if (!d.state_dir.is_absolute()) {
      return Error{ErrorKind::config, "playbook " + playbook.string() + ": state_dir is not an absolute path"};
    }
    return d;
  } catch (const config::ConfigError& e) {
    return Error{ErrorKind::config, std::string("playbook: ") + e.what()};
  }
}

}  // namespace hsops::checks
