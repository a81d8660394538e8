// Docs match the code: every metric hsops emits, and every metric alerts/ and dashboards/ use,
// is listed in docs/metrics.md; every check is in the README and has its docs page.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "checks/registry.h"
#include "exec/exec.h"

using namespace hsops;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  REQUIRE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> metric_names(const std::string& text) {
  static const std::regex name(R"(\bhsops_[a-z0-9_]+\b)");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) out.insert(it->str());
  return out;
}

// Names listed in docs/metrics.md tables: "| `hsops_x` | ...".
std::set<std::string> documented() {
  static const std::regex row(R"(\|\s*`(hsops_[a-z0-9_]+)`)");
  const std::string text = read(fs::path(HSOPS_SOURCE_DIR) / "docs/metrics.md");
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), row), end; it != end; ++it) out.insert((*it)[1].str());
  return out;
}

}  // namespace

TEST_CASE("every metric used by alerts and dashboards is documented", "[docs]") {
  const auto listed = documented();
  REQUIRE_FALSE(listed.empty());
  for (const char* dir : {"alerts", "dashboards"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(HSOPS_SOURCE_DIR) / dir)) {
      if (!entry.is_regular_file()) continue;
      for (const auto& name : metric_names(read(entry.path()))) {
        INFO(entry.path().string() << " uses " << name);
        CHECK(listed.count(name) == 1);
      }
    }
  }
}

TEST_CASE("every metric `hsops check all --format prom` emits is documented", "[docs]") {
  const auto dir = fs::temp_directory_path() / "hsops-docs-test";
  fs::create_directories(dir);
  // Disk on the temp dir's filesystem; clock against nothing reachable (UNKNOWN still emits
  // its series), kernel view included.
  std::ofstream(dir / "hsops.yaml") << "state_dir: " << (dir / "state").string() << "\n"
                                    << "checks:\n  disk:\n    paths: [" << dir.string() << "]\n"
                                    << "  clock:\n    servers: ['127.0.0.1:9']\n    timeout: 300ms\n";
  exec::Command c(HSOPS_BINARY_DIR "/cmd/hsops/hsops", {"check", "all", "--format", "prom", "--config", (dir / "hsops.yaml").string()});
  c.env_overrides = {{"HSOPS_CONFIG", ""}};
  auto r = exec::run(c);
  REQUIRE(r.ok());
  REQUIRE_FALSE(r->timed_out);
  const auto listed = documented();
  const auto emitted = metric_names(r->out);
  CHECK(emitted.count("hsops_check_status") == 1);
  CHECK(emitted.count("hsops_disk_avail_bytes") == 1);
  for (const auto& name : emitted) {
    INFO("emitted but not in docs/metrics.md: " << name);
    CHECK(listed.count(name) == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("every check has a docs page and a README row", "[docs]") {
  const std::string readme = read(fs::path(HSOPS_SOURCE_DIR) / "README.md");
  for (const auto& info : checks::all_checks()) {
    const std::string name(info.name);
    INFO(name);
    CHECK(fs::exists(fs::path(HSOPS_SOURCE_DIR) / "docs/checks" / (name + ".md")));
    CHECK(readme.find("| `" + name + "` |") != std::string::npos);
  }
}
