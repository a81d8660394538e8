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

// The files that use metrics: the rule files and the dashboards (not the example configs and
// provisioning files, whose hsops_* words are role and database names).
std::vector<fs::path> metric_users() {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "alerts")) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 10 && name.substr(name.size() - 10) == ".rules.yml") out.push_back(entry.path());
  }
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "dashboards")) {
    if (entry.path().extension() == ".json") out.push_back(entry.path());
  }
  return out;
}

}  // namespace

TEST_CASE("every metric used by alerts and dashboards is documented", "[docs]") {
  const auto listed = documented();
  REQUIRE_FALSE(listed.empty());
  for (const auto& file : metric_users()) {
    for (const auto& name : metric_names(read(file))) {
      INFO(file.string() << " uses " << name);
      CHECK(listed.count(name) == 1);
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

namespace {

// Every source file of the components that export metrics (lib/, cmd/), concatenated.
std::string component_sources() {
  std::string all;
  for (const char* dir : {"lib", "cmd"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(HSOPS_SOURCE_DIR) / dir)) {
      const auto ext = entry.path().extension();
      if (entry.is_regular_file() && (ext == ".cpp" || ext == ".h")) all += read(entry.path());
    }
  }
  return all;
}

}  // namespace

TEST_CASE("every metric alerts and dashboards use is exported by an hsops component", "[docs]") {
  const std::string sources = component_sources();
  for (const auto& file : metric_users()) {
    for (const auto& name : metric_names(read(file))) {
      INFO(file.string() << " uses " << name << ", which no file under lib/ or cmd/ names");
      CHECK(sources.find("\"" + name) != std::string::npos);
    }
  }
}

TEST_CASE("every documented metric has a dashboard panel", "[docs]") {
  std::string dashboards;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "dashboards")) {
    if (entry.path().extension() == ".json") dashboards += read(entry.path());
  }
  for (const auto& name : documented()) {
    INFO(name << " is in docs/metrics.md but on no dashboard");
    CHECK(metric_names(dashboards).count(name) == 1);
  }
}

TEST_CASE("every alert has a summary and a runbook_url to an existing page", "[docs]") {
  const std::regex alert(R"(- alert: (\w+))");
  const std::regex runbook(R"(runbook_url: \"?([^\"\n]+)\"?)");
  int alerts = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "alerts")) {
    const std::string file = entry.path().filename().string();
    if (file.size() < 10 || file.substr(file.size() - 10) != ".rules.yml") continue;
    const std::string text = read(entry.path());
    // Each rule's text runs from its `- alert:` to the next one.
    std::vector<std::pair<std::size_t, std::string>> starts;
    for (std::sregex_iterator it(text.begin(), text.end(), alert), end; it != end; ++it) {
      starts.emplace_back(static_cast<std::size_t>(it->position()), (*it)[1].str());
    }
    for (std::size_t i = 0; i < starts.size(); ++i) {
      const auto stop = i + 1 < starts.size() ? starts[i + 1].first : text.size();
      const std::string rule = text.substr(starts[i].first, stop - starts[i].first);
      INFO(file << ": " << starts[i].second);
      CHECK(rule.find("summary:") != std::string::npos);
      std::smatch m;
      REQUIRE(std::regex_search(rule, m, runbook));
      CHECK(fs::exists(fs::path(HSOPS_SOURCE_DIR) / m[1].str()));
      ++alerts;
    }
  }
  CHECK(alerts > 30);
}

TEST_CASE("dashboards pick their data sources through template variables, never a fixed uid", "[docs]") {
  const std::regex uid(R"re("uid":\s*"([^"]*)")re");
  for (const auto& entry : fs::directory_iterator(fs::path(HSOPS_SOURCE_DIR) / "dashboards")) {
    if (entry.path().extension() != ".json") continue;
    const std::string text = read(entry.path());
    for (std::sregex_iterator it(text.begin(), text.end(), uid), end; it != end; ++it) {
      const std::string value = (*it)[1].str();
      // The dashboard's own uid (its stable link) is "hsops-..."; a data source uid must be
      // a variable such as ${datasource}.
      if (value.rfind("hsops-", 0) == 0) continue;
      INFO(entry.path().filename().string() << ": data source uid " << value);
      CHECK(value.rfind("${", 0) == 0);
    }
  }
}
