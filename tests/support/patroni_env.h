// The Patroni profile's names for Catch2 tests (tests/harness/patroni, docs/testing.md): its env
// file is $HSOPS_PATRONI_ENV, else $HSOPS_PATRONI_DIR/env, else /tmp/hsops-patroni/env. Fails
// the test saying how to bring the profile up when it is not there.
//
// patroni_env() is the whole file (KEY=VALUE, see docs/testing.md "Patroni profile");
// patroni_synapse() the Synapse part of it by field: the generated failover playbook, the
// public route (haproxy backend `synapse`), hs1 (master, running after `up`) and hs2 (hot spare,
// stopped), and the admin / probe accounts' secret files.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include "support/stack_env.h"

namespace hsops::test {

inline const StackEnv& patroni_env() {
  static std::string why;
  static const std::optional<StackEnv> env = [] {
    std::string path = "/tmp/hsops-patroni/env";
    if (const char* p = std::getenv("HSOPS_PATRONI_ENV"); p != nullptr && *p != '\0') {
      path = p;
    } else if (const char* d = std::getenv("HSOPS_PATRONI_DIR"); d != nullptr && *d != '\0') {
      path = std::string(d) + "/env";
    }
    auto e = StackEnv::load(path, &why);
    if (!e) why = "no Patroni profile env file at " + path + ": run `tests/harness/patroni up` (or `ctest -R patroni`, whose patroni-up fixture does it)";
    return e;
  }();
  if (!env) FAIL(why);
  return *env;
}

// The Synapse side of the Patroni profile (all from patroni_env(); a missing key throws naming
// the env file, i.e. a profile brought up by an older harness).
struct PatroniSynapse {
  std::string playbook;             // HSOPS_PATRONI_PLAYBOOK: <dir>/playbook.yaml (backend patroni, hs1/hs2, haproxy route)
  std::string url;                  // HSOPS_PATRONI_SYNAPSE_URL: the public route (haproxy frontend, backend `synapse`)
  std::string backend;              // HSOPS_PATRONI_SYNAPSE_BACKEND: `synapse` (servers hs1, hs2)
  std::string hs1_url;              // HSOPS_PATRONI_HS1_URL: master, running after `up`
  std::string hs2_url;              // HSOPS_PATRONI_HS2_URL: hot spare, stopped after `up`
  std::string hs1_metrics_url;      // HSOPS_PATRONI_HS1_METRICS_URL
  std::string hs2_metrics_url;      // HSOPS_PATRONI_HS2_METRICS_URL
  std::string server_name;          // HSOPS_PATRONI_SYNAPSE_SERVER_NAME
  std::string probe_user;           // HSOPS_PATRONI_PROBE_USER: @probe:<server> (rate limit lifted)
  std::string probe_password_file;  // HSOPS_PATRONI_PROBE_PASSWORD_FILE
  std::string admin_user;           // HSOPS_PATRONI_ADMIN_USER: @admin:<server> (server admin)
  std::string admin_password_file;  // HSOPS_PATRONI_ADMIN_PASSWORD_FILE
  std::string admin_token_file;     // HSOPS_PATRONI_ADMIN_TOKEN_FILE: an access token of @admin
  std::string failover_password_file;  // HSOPS_PATRONI_FAILOVER_PASSWORD_FILE: role hsops_failover (the playbook's node conninfo)

  std::string probe_password() const { return StackEnv::read_secret(probe_password_file); }
  std::string admin_token() const { return StackEnv::read_secret(admin_token_file); }
};

inline const PatroniSynapse& patroni_synapse() {
  static const PatroniSynapse s = [] {
    const StackEnv& e = patroni_env();
    PatroniSynapse p;
    p.playbook = e.get("HSOPS_PATRONI_PLAYBOOK");
    p.url = e.get("HSOPS_PATRONI_SYNAPSE_URL");
    p.backend = e.get("HSOPS_PATRONI_SYNAPSE_BACKEND");
    p.hs1_url = e.get("HSOPS_PATRONI_HS1_URL");
    p.hs2_url = e.get("HSOPS_PATRONI_HS2_URL");
    p.hs1_metrics_url = e.get("HSOPS_PATRONI_HS1_METRICS_URL");
    p.hs2_metrics_url = e.get("HSOPS_PATRONI_HS2_METRICS_URL");
    p.server_name = e.get("HSOPS_PATRONI_SYNAPSE_SERVER_NAME");
    p.probe_user = e.get("HSOPS_PATRONI_PROBE_USER");
    p.probe_password_file = e.get("HSOPS_PATRONI_PROBE_PASSWORD_FILE");
    p.admin_user = e.get("HSOPS_PATRONI_ADMIN_USER");
    p.admin_password_file = e.get("HSOPS_PATRONI_ADMIN_PASSWORD_FILE");
    p.admin_token_file = e.get("HSOPS_PATRONI_ADMIN_TOKEN_FILE");
    p.failover_password_file = e.get("HSOPS_PATRONI_FAILOVER_PASSWORD_FILE");
    return p;
  }();
  return s;
}

}  // namespace hsops::test
