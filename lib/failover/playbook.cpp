// Reads a playbook through config::Document, so every problem carries file:line:column and
// unknown keys are refused, exactly as in hsops.yaml.
#include "failover/playbook.h"

#include <algorithm>
#include <set>

#include "failover/step_types.h"

namespace hsops::failover {
namespace {

// follow exists with the patroni backend only (hsops elects no leader of its own).
const std::set<std::string> kOperations{"switchover", "promote", "drill", "follow"};

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

Control read_control(const config::Section& s, const std::string& what) {
  Control c;
  if (!s.present()) s.fail("", "is missing: say how to " + what + " it ({systemd: UNIT} or {command: [argv]})");
  c.systemd_unit = s.string("systemd", "");
  c.command = s.strings("command", {});
  if (c.systemd_unit.empty() == c.command.empty()) {
    s.fail("", "needs exactly one of `systemd: UNIT` or `command: [argv]` to " + what + " it");
  }
  c.deadline = s.positive_duration("deadline", c.deadline);
  s.reject_unknown_keys();
  return c;
}

DatabaseNode read_database(const config::Section& s, const std::string& name, Backend backend) {
  DatabaseNode n;
  n.name = name;
  n.target = pg::read_target(s, pg::Options{}, "the node's libpq conninfo (without a password)");
  if (backend == Backend::patroni) {
    // Patroni starts, stops and rewinds its PostgreSQL: a second way to do it would go
    // behind its back. The conninfo stays, for pg.verify_primary.
    for (const char* key : {"data_dir", "pg_bin", "stop", "start"}) {
      if (s.has(key)) s.fail(key, "is not used with `database.backend: patroni` (Patroni starts and stops its PostgreSQL): remove it");
    }
    s.reject_unknown_keys();
    return n;
  }
  n.data_dir = s.string("data_dir", "");
  n.pg_bin = s.string("pg_bin", "");
  if (!n.pg_bin.empty() && !n.pg_bin.is_absolute()) s.fail("pg_bin", "must be an absolute directory, e.g. /usr/lib/postgresql/15/bin");
  n.stop = read_control(s.child("stop"), "stop");
  n.start = read_control(s.child("start"), "start");
  s.reject_unknown_keys();
  return n;
}

HomeserverNode read_homeserver(const config::Section& s, const std::string& name) {
  HomeserverNode n;
  n.name = name;
  n.url = s.string("url", "");
  if (n.url.rfind("http://", 0) != 0 && n.url.rfind("https://", 0) != 0) {
    s.fail("url", "must be the homeserver's client URL (http:// or https://), e.g. http://127.0.0.1:8008");
  }
  n.stop = read_control(s.child("stop"), "stop");
  n.start = read_control(s.child("start"), "start");
  s.reject_unknown_keys();
  return n;
}

// `primary: db1` and `standby: db2` naming two different nodes of `nodes`.
template <typename Node>
void read_pair(const config::Section& s, const std::map<std::string, Node>& nodes, const char* first_key,
               const char* second_key, std::string& first, std::string& second) {
  first = s.string(first_key, "");
  second = s.string(second_key, "");
  for (const auto& [key, value] : {std::pair{first_key, &first}, std::pair{second_key, &second}}) {
    if (nodes.count(*value) == 0) {
      std::string known;
      for (const auto& [n, _] : nodes) known += (known.empty() ? "" : ", ") + n;
      s.fail(key, (value->empty() ? std::string("is required") : "'" + *value + "' is not one of the nodes") +
                      " (nodes: " + known + ")");
    }
  }
  if (first == second) s.fail(second_key, "must name another node than `" + std::string(first_key) + "`");
}

Backend read_backend(const config::Section& db) {
  const std::string b = db.string("backend", "native");
  if (b == "native") return Backend::native;
  if (b == "patroni") return Backend::patroni;
  db.fail("backend", "must be `native` (hsops drives PostgreSQL) or `patroni` (Patroni owns the leadership)");
}

PatroniApi read_patroni(const config::Section& s) {
  PatroniApi a;
  if (!s.present()) s.fail("", "is required with `backend: patroni`: {urls: [http://db1:8008, http://db2:8008]}");
  a.urls = s.strings("urls", {});
  if (a.urls.empty()) s.fail("urls", "is required: each member's Patroni REST API (restapi.connect_address), e.g. [http://db1:8008]");
  for (auto& url : a.urls) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) s.fail("urls", "'" + url + "' is not an http(s) URL");
  }
  a.username = s.string("username", "");
  a.password = s.secret("password");
  if (a.password.has_value() == a.username.empty()) {
    s.fail(a.username.empty() ? "username" : "password_file",
           "restapi.authentication needs both `username` and `password_file` (or `password_env`), or neither");
  }
  a.ca_file = s.string("ca_file", "");
  s.reject_unknown_keys();
  return a;
}

Route read_route(const config::Section& s, const std::map<std::string, HomeserverNode>& homeservers) {
  Route r;
  const auto haproxy = s.child("haproxy");
  const auto exec = s.child("exec");
  if (haproxy.present() == exec.present()) s.fail("", "needs exactly one of `haproxy:` or `exec:`");
  if (haproxy.present()) {
    HaproxyRoute h;
    h.socket = haproxy.string("socket", "");
    if (h.socket.empty()) haproxy.fail("socket", "is required: haproxy's runtime API socket (stats socket ... level admin)");
    h.backend = haproxy.string("backend", "");
    if (h.backend.empty()) haproxy.fail("backend", "is required: the haproxy backend of the homeservers");
    const auto servers = haproxy.child("servers");
    for (const auto& node : servers.keys()) h.servers[node] = servers.string(node, "");
    for (const auto& [node, _] : homeservers) {
      if (h.servers.count(node) == 0) haproxy.fail("servers", "names no haproxy server for homeserver " + node);
    }
    haproxy.reject_unknown_keys();
    r.haproxy = std::move(h);
  } else {
    ExecRoute e;
    const auto to = exec.child("to");
    for (const auto& node : to.keys()) e.to[node] = to.strings(node, {});
    for (const auto& [node, _] : homeservers) {
      if (e.to.count(node) == 0 || e.to[node].empty()) exec.fail("to", "has no command routing clients to " + node);
    }
    e.deadline = exec.positive_duration("deadline", e.deadline);
    exec.reject_unknown_keys();
    r.exec = std::move(e);
  }
  s.reject_unknown_keys();
  return r;
}

StepSpec read_step(const config::Section& item, Backend backend) {
  StepSpec step;
  step.where = item.location();
  step.type = item.string("type", "");
  const StepType* type = find_step_type(step.type);
  if (type == nullptr) {
    item.fail("type", (step.type.empty() ? std::string("is required") : "unknown step type '" + step.type + "'") +
                          " (known: " + step_type_names() + ")");
  }
  if (const auto why = backend_refusal(step.type, backend); !why.empty()) item.fail("type", why);
  step.node_role = item.string("node", std::string(type->default_role));
  const bool database_role = step.node_role == "primary" || step.node_role == "standby";
  const bool homeserver_role = step.node_role == "active" || step.node_role == "spare";
  if (type->acts == Acts::database && !database_role) item.fail("node", "must be `primary` or `standby` for " + step.type);
  if (type->acts == Acts::homeserver && !homeserver_role) item.fail("node", "must be `active` or `spare` for " + step.type);
  if (type->acts == Acts::nothing && item.has("node")) item.fail("node", step.type + " acts on no node");
  step.deadline = item.positive_duration("deadline", type->deadline);
  if (item.has("budget")) step.budget = item.positive_duration("budget", Millis(0));
  for (const auto& key : type->params) {
    if (key == "command" || key == "undo_command") continue;
    if (auto v = item.optional_string(key)) step.params[std::string(key)] = *v;
  }
  if (step.type == "exec") {
    step.command = item.strings("command", {});
    step.undo_command = item.strings("undo_command", {});
    if (step.command.empty()) item.fail("command", "is required: the argv to run, e.g. [/usr/local/bin/move-vip, db2]");
    step.params["command"] = joined(step.command);
  }
  if (step.type == "wait" && !item.has("for")) item.fail("for", "is required: how long to wait, e.g. 10s");
  if (step.type == "wait") (void)item.positive_duration("for", Millis(0));
  if (step.type == "pg.check_replication" && item.has("max_lag")) (void)item.size("max_lag", 0);
  item.reject_unknown_keys();
  return step;
}

// Never two writable primaries: in each half of an operation a promotion needs a fence before it.
void require_fence_before_promote(const Operation& op, const config::Section& where) {
  bool fenced[2] = {false, false};
  for (const auto& s : op.steps) {
    const int half = s.params.count("half") != 0 && s.params.at("half") == "back" ? 1 : 0;
    if (s.type == "pg.fence") fenced[half] = true;
    if (s.type == "pg.promote" && !fenced[half]) {
      throw config::ConfigError(s.where, where.path() + "." + op.name,
                                "pg.promote without a pg.fence before it: the old primary could still take writes "
                                "(two writable primaries); add a pg.fence step before it");
    }
  }
}

}  // namespace

std::string Control::text() const { return systemd_unit.empty() ? joined(command) : "systemctl <start|stop> " + systemd_unit; }

Playbook parse_playbook(const config::Document& doc) {
  const auto root = doc.root();
  Playbook p;
  p.file = doc.file();
  p.name = root.string("name", "");
  if (p.name.empty()) root.fail("name", "is required: the deployment's name, shown in reports and metrics (e.g. hs1)");
  p.state_dir = root.string("state_dir", "/var/lib/hsops/failover");
  if (!p.state_dir.is_absolute()) root.fail("state_dir", "must be an absolute path");

  const auto db = root.child("database");
  p.backend = read_backend(db);
  if (p.backend == Backend::patroni) p.patroni = read_patroni(db.child("patroni"));
  else if (db.has("patroni")) db.fail("patroni", "is only used with `backend: patroni`");
  const auto db_nodes = db.child("nodes");
  for (const auto& name : db_nodes.keys()) p.databases.emplace(name, read_database(db_nodes.child(name), name, p.backend));
  if (p.databases.size() != 2) db.fail("nodes", "must list exactly two PostgreSQL nodes (the primary and its standby)");
  read_pair(db, p.databases, "primary", "standby", p.primary, p.standby);
  p.maximum_lag_on_failover = db.size("maximum_lag_on_failover", p.maximum_lag_on_failover);
  p.switchover_max_lag = db.size("switchover_max_lag", p.switchover_max_lag);
  db.reject_unknown_keys();

  const auto hs = root.child("homeserver");
  const auto hs_nodes = hs.child("nodes");
  for (const auto& name : hs_nodes.keys()) p.homeservers.emplace(name, read_homeserver(hs_nodes.child(name), name));
  if (p.homeservers.size() != 2) hs.fail("nodes", "must list exactly two homeservers (the active one and the spare)");
  read_pair(hs, p.homeservers, "active", "spare", p.active, p.spare);
  hs.reject_unknown_keys();

  p.route = read_route(root.child("route"), p.homeservers);

  const auto probe = root.child("probe");
  p.probe_url = probe.string("url", "");
  if (p.probe_url.rfind("http", 0) != 0) probe.fail("url", "is required: the public client URL clients use (through the route)");
  p.probe_user = probe.string("user", "");
  if (p.probe_user.empty()) probe.fail("user", "is required: the probe account, e.g. '@probe:example.org'");
  p.probe_password = probe.secret("password");
  if (!p.probe_password) probe.fail("password_file", "the probe account's password: password_file or password_env");
  probe.reject_unknown_keys();

  const auto ops = root.child("operations");
  for (const auto& name : ops.keys()) {
    if (kOperations.count(name) == 0) ops.fail(name, "unknown operation '" + name + "' (known: drill, follow, promote, switchover)");
  }
  for (const auto& name : kOperations) {
    if (name == "follow" && p.backend != Backend::patroni) {
      if (ops.has(name)) ops.fail(name, "needs `database.backend: patroni`: only Patroni elects a new leader by itself");
      continue;
    }
    Operation op{name, {}};
    if (ops.has(name) && name == "promote" && p.backend == Backend::patroni) ops.fail(name, std::string(kPatroniPromoteRefusal));
    if (ops.has(name)) {
      for (const auto& item : ops.list(name)) op.steps.push_back(read_step(item, p.backend));
      if (op.steps.empty()) ops.fail(name, "has no steps");
    } else {
      op.steps = default_steps(name, p.backend);
    }
    require_fence_before_promote(op, ops);
    p.operations.emplace(name, std::move(op));
  }
  root.reject_unknown_keys();
  return p;
}

Playbook load_playbook(const std::filesystem::path& file) { return parse_playbook(config::Document::load(file)); }

}  // namespace hsops::failover
