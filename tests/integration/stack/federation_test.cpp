// `hsops check federation` against the real Synapse's federation listener (plain HTTP, allowed
// by the explicit allow_plain_http test option): its real signing key and self-signature
// verify; a corrupted copy of its key response, served by the test, fails the check.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "net/http.h"
#include "support/local_http_server.h"
#include "support/stack_env.h"

using namespace std::chrono_literals;
using hsops::test::LocalHttpServer;
using hsops::test::stack_env;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct CliRun {
  int exit_code = -1;
  json check;
  std::string raw;
  std::chrono::duration<double> elapsed{};
};

CliRun run_federation(const std::string& section) {
  const fs::path dir = fs::temp_directory_path() / ("hsops-fed-it-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto config = dir / "hsops.yaml";
  std::ofstream(config) << "state_dir: " << (dir / "state").string() << "\nchecks:\n  federation:\n" << section;
  const std::string cmd = "timeout 60 " HSOPS_BINARY_DIR "/cmd/hsops/hsops check federation --format json --config " +
                          config.string() + " 2>&1";
  CliRun r;
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.raw.append(buf, n);
  const int status = ::pclose(p);
  r.elapsed = std::chrono::steady_clock::now() - t0;
  fs::remove_all(dir);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // A config error is one UNKNOWN line, not JSON: then `check` stays null.
  const auto doc = json::parse(r.raw, nullptr, false);
  if (doc.is_object()) r.check = doc["checks"][0];
  return r;
}

std::string section_for(const std::string& server_name, const std::string& base_url) {
  return "    server_name: " + server_name + "\n    base_url: " + base_url + "\n    allow_plain_http: true\n";
}

std::optional<double> metric(const json& check, const std::string& name) {
  for (const auto& m : check["measurements"]) {
    if (m["metric"] == name) return m["value"].get<double>();
  }
  return std::nullopt;
}

bool has_detail(const json& check, const std::string& text) {
  for (const auto& d : check["details"]) {
    if (d.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

// The key id Synapse signs with, from its signing key file ("ed25519 <version> <seed>").
std::string synapse_key_id() {
  const auto& env = stack_env();
  const fs::path key_file = fs::path(env.get("HSOPS_STACK_DIR")) / "synapse" / (env.get("HSOPS_SYNAPSE_SERVER_NAME") + ".signing.key");
  std::ifstream in(key_file);
  std::string alg, version;
  in >> alg >> version;
  REQUIRE(alg == "ed25519");
  return alg + ":" + version;
}

}  // namespace

TEST_CASE("federation check verifies the real Synapse's signing key and self-signature", "[federation]") {
  const auto& env = stack_env();
  const auto r = run_federation(section_for(env.get("HSOPS_SYNAPSE_SERVER_NAME"), env.get("HSOPS_SYNAPSE_URL")));
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.exit_code == 0);
  CHECK(r.check["status"] == "OK");
  CHECK(r.check["summary"].get<std::string>().find("Synapse") != std::string::npos);
  CHECK(has_detail(r.check, synapse_key_id() + ": 32-byte key, self-signature verifies"));
  CHECK(metric(r.check, "hsops_federation_ok") == 1.0);
  CHECK(metric(r.check, "hsops_federation_keys_valid") == 1.0);
  CHECK(metric(r.check, "hsops_federation_key_valid_seconds").value_or(0) > 3600);
  CHECK(has_detail(r.check, "not checked: plain HTTP"));
  std::cout << "federation against the stack: " << r.check["duration_seconds"] << " s; " << r.check["summary"] << "\n";
}

TEST_CASE("federation check: a corrupted key response fails the signature check", "[federation]") {
  const auto& env = stack_env();
  const std::string synapse = env.get("HSOPS_SYNAPSE_URL");
  auto real = hsops::net::get(synapse + "/_matrix/key/v2/server");
  REQUIRE(real.ok());
  REQUIRE(real->status == 200);
  auto keys = json::parse(real->body);
  keys["valid_until_ts"] = keys["valid_until_ts"].get<std::int64_t>() + 1000;  // one byte's worth of tampering
  auto version = hsops::net::get(synapse + "/_matrix/federation/v1/version");
  REQUIRE(version.ok());

  LocalHttpServer fake;
  fake.route("/_matrix/federation/v1/version", {200, {{"Content-Type", "application/json"}}, version->body});
  fake.route("/_matrix/key/v2/server", {200, {{"Content-Type", "application/json"}}, keys.dump()});
  const auto r = run_federation(section_for(env.get("HSOPS_SYNAPSE_SERVER_NAME"), fake.url("")));
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.exit_code == 2);
  const std::string summary = r.check["summary"];
  CHECK(summary.find(synapse_key_id() + ": self-signature check failed") != std::string::npos);
  CHECK(metric(r.check, "hsops_federation_keys_valid") == 0.0);
  CHECK(metric(r.check, "hsops_federation_ok") == 0.0);
}

TEST_CASE("federation check: keys of another server name are CRITICAL", "[federation]") {
  const auto& env = stack_env();
  const auto r = run_federation(section_for("not-" + env.get("HSOPS_SYNAPSE_SERVER_NAME"), env.get("HSOPS_SYNAPSE_URL")));
  INFO(r.raw);
  REQUIRE(r.check.is_object());
  CHECK(r.exit_code == 2);
  CHECK(r.check["summary"].get<std::string>().find("keys are for '" + env.get("HSOPS_SYNAPSE_SERVER_NAME") + "'") !=
        std::string::npos);
}

TEST_CASE("federation check: plain http is refused without the explicit option", "[federation]") {
  const auto& env = stack_env();
  const auto r = run_federation("    server_name: hsops.test\n    base_url: " + env.get("HSOPS_SYNAPSE_URL") + "\n");
  CHECK(r.exit_code == 3);
  CHECK(r.raw.find("allow_plain_http") != std::string::npos);
}
