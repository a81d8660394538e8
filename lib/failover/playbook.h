// A failover playbook: one deployment's topology (two PostgreSQL nodes, two homeservers, how
// clients are routed, the probe through the public route) and the operations built from typed
// steps. Read from YAML with file:line:column on every error, like the config. Steps name
// roles ("primary", "standby", "active", "spare"), resolved when a run starts, so the same
// steps serve the switch there and the switch back.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/units.h"
#include "pg/target.h"

namespace hsops::failover {

// How a server is stopped or started: a systemd unit (`systemctl start|stop UNIT`) or a
// command (argv, no shell), each under a deadline.
struct Control {
  std::string systemd_unit;           // set, or
  std::vector<std::string> command;   // argv
  Millis deadline{60000};
  std::string text() const;           // "systemctl stop postgresql@15-main" / the argv joined
};

// Who owns the database's leadership: hsops itself (pg.* steps against PostgreSQL) or
// Patroni, which hsops only asks through its REST API and never goes behind.
enum class Backend { native, patroni };

// Patroni's REST API (database.patroni): every member's base URL, and the basic auth of
// restapi.authentication when it is set (the POSTs need it; GET /cluster does not).
struct PatroniApi {
  std::vector<std::string> urls;      // http://db1:8008, without a trailing '/'
  std::string username;               // "" = no auth
  std::optional<std::string> password;
  std::string ca_file;                // "" = the system store
};

struct DatabaseNode {
  std::string name;          // "db1"; with Patroni, the Patroni member name
  pg::Target target;         // conninfo (+ password from a file/env), timeouts
  std::filesystem::path data_dir;   // native only: Patroni starts, stops and rewinds its own
  std::filesystem::path pg_bin;  // pg_rewind's directory; "": /usr/lib/postgresql/<data_dir's PG_VERSION>/bin
  Control stop;
  Control start;
};

struct HomeserverNode {
  std::string name;          // "hs1"
  std::string url;           // client URL, checked with /_matrix/client/versions
  Control stop;
  Control start;
};

// Routing clients to the active homeserver.
struct HaproxyRoute {
  std::filesystem::path socket;        // the runtime API (stats socket ... level admin)
  std::string backend;
  std::map<std::string, std::string> servers;  // homeserver node name -> haproxy server name
};
struct ExecRoute {
  std::map<std::string, std::vector<std::string>> to;  // homeserver node name -> argv that routes to it
  Millis deadline{30000};
};
struct Route {
  std::optional<HaproxyRoute> haproxy;
  std::optional<ExecRoute> exec;
};

// One step as written: its type ("pg.promote"), the role or parameters it acts on, its
// deadline and budget, and the section it came from (for errors at run time).
struct StepSpec {
  std::string type;
  std::string node_role;              // "primary", "standby", "active", "spare" or "" (type-specific)
  std::map<std::string, std::string> params;  // further keys as text, validated per type
  std::vector<std::string> command;   // exec: argv
  std::vector<std::string> undo_command;
  Millis deadline{60000};
  std::optional<Millis> budget;       // a step over budget fails the drill's exit code
  config::Location where;
};

struct Operation {
  std::string name;                   // "switchover", "promote", "drill"
  std::vector<StepSpec> steps;
};

struct Playbook {
  std::string file;
  std::string name;                   // the deployment, in reports and metrics
  std::filesystem::path state_dir;    // journal, lock, reports
  Backend backend = Backend::native;
  PatroniApi patroni;                 // backend patroni only
  std::map<std::string, DatabaseNode> databases;
  std::string primary;                // database node name that is primary in the normal state
  std::string standby;
  std::uint64_t maximum_lag_on_failover = 1024 * 1024;  // bytes; promote refuses above it
  std::uint64_t switchover_max_lag = 16 * 1024 * 1024;  // bytes; switchover refuses above it
  std::map<std::string, HomeserverNode> homeservers;
  std::string active;                 // homeserver node serving in the normal state
  std::string spare;
  Route route;
  std::string probe_url;              // the public route the probe goes through
  std::string probe_user;
  std::optional<std::string> probe_password;
  std::map<std::string, Operation> operations;  // every operation, defaults filled in
};

// Reads and validates a playbook; config::ConfigError with file:line:column on any problem:
// an unknown key or step type, a missing field, a role naming no node, promotion without a
// fence before it.
Playbook load_playbook(const std::filesystem::path& file);
Playbook parse_playbook(const config::Document& doc);

}  // namespace hsops::failover
