# shellcheck shell=bash
# The Patroni profile of the test stack (tests/harness/patroni, docs/testing.md "Patroni
# profile"): one etcd member, two Patroni-managed PostgreSQL 15 nodes (pg1, pg2; scope
# hsops-test, DCS etcd3 = etcd's v3 JSON gateway) and an haproxy whose TCP frontend follows the
# leader (option httpchk GET /primary on each node's REST port). Sourced after common.sh, which
# it re-points at its own state dir ($HSOPS_PATRONI_DIR) and port range.

PATRONI_DIR=$(realpath -m "${HSOPS_PATRONI_DIR:-/tmp/hsops-patroni}")
STACK_DIR=$PATRONI_DIR
PORT_BASE=${HSOPS_PATRONI_PORT_BASE:-26432}
PORT_BASE_VAR=HSOPS_PATRONI_PORT_BASE
RUN_DIR=$PATRONI_DIR/run
SECRETS_DIR=$PATRONI_DIR/secrets
ENV_FILE=$PATRONI_DIR/env
PORTS_FILE=$PATRONI_DIR/ports
PATRONI_MARKER=$PATRONI_DIR/.hsops-patroni
PATRONI_STATE_FILE=$PATRONI_DIR/state
PATRONI_SOCK=$PATRONI_DIR/sock            # PostgreSQL's unix sockets (both nodes; ports differ)
ETCD_DIR=$PATRONI_DIR/etcd
ETCD_LOG=$ETCD_DIR/etcd.log
PATRONI_BIN=${HSOPS_PATRONI:-/usr/bin/patroni}
ETCD_BIN=${HSOPS_ETCD:-/usr/bin/etcd}
ETCDCTL_BIN=${HSOPS_ETCDCTL:-/usr/bin/etcdctl}
ETCD_OS_USER=${HSOPS_ETCD_USER:-etcd}      # the etcd-server package's user; falls back to $PG_OS_USER
PATRONI_SCOPE=hsops-test
PATRONI_NAMESPACE=/hsops/
PATRONI_UP_TIMEOUT=${HSOPS_PATRONI_UP_TIMEOUT:-90}        # seconds: both nodes up, one leader, one streaming replica
ETCD_START_TIMEOUT=${HSOPS_ETCD_START_TIMEOUT:-30}         # seconds
PATRONI_STOP_TIMEOUT=${HSOPS_PATRONI_STOP_TIMEOUT:-40}     # seconds per node (Patroni stops its PostgreSQL first)

etcd_user() { if id -u "$ETCD_OS_USER" >/dev/null 2>&1; then echo "$ETCD_OS_USER"; else echo "$PG_OS_USER"; fi; }
p_state() { cat "$PATRONI_STATE_FILE" 2>/dev/null || echo none; }
p_set_state() { echo "$1" >"$PATRONI_STATE_FILE"; }
p_load_ports() { [ -f "$PORTS_FILE" ] && . "$PORTS_FILE"; }

etcd_pid() { pidfile_pid "$RUN_DIR/etcd.pid"; }
patroni_pid() { pidfile_pid "$RUN_DIR/patroni-$1.pid"; }
node_data() { echo "$PATRONI_DIR/$1/data"; }
node_log() { echo "$PATRONI_DIR/$1/patroni.log"; }
postmaster_pid() { pidfile_pid "$(node_data "$1")/postmaster.pid"; }
node_pg_port() { if [ "$1" = pg1 ]; then echo "$PG1_PORT"; else echo "$PG2_PORT"; fi; }
node_rest_port() { if [ "$1" = pg1 ]; then echo "$REST1_PORT"; else echo "$REST2_PORT"; fi; }

lock_patroni() {
  command -v flock >/dev/null || return 0
  # Long-lived children are started with 9>&- so they never hold this lock.
  exec 9>"$PATRONI_DIR.lock"
  flock -w 300 9 || die "another 'patroni' command holds $PATRONI_DIR.lock for over 300 s; wait for it or remove the lock file"
}

check_owned_patroni_dir() {
  if [ -e "$PATRONI_DIR" ] && [ ! -f "$PATRONI_MARKER" ]; then
    if [ -d "$PATRONI_DIR" ] && [ -z "$(ls -A "$PATRONI_DIR")" ]; then return 0; fi
    die "$PATRONI_DIR exists but is not an hsops Patroni dir (no .hsops-patroni marker); remove it or set HSOPS_PATRONI_DIR to another path"
  fi
}

p_rm_tree() {
  [ -f "$PATRONI_MARKER" ] || die "refusing to remove $PATRONI_DIR: no .hsops-patroni marker"
  rm -rf --one-file-system "$PATRONI_DIR"
}

# ---- etcd ---------------------------------------------------------------------------------
etcd_healthy() {
  ETCDCTL_API=3 timeout 5 "$ETCDCTL_BIN" --endpoints="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1
}

etcd_start() {
  [ -x "$ETCD_BIN" ] || die "etcd is not installed ($ETCD_BIN missing); run: apt-get install etcd-server etcd-client"
  [ -x "$ETCDCTL_BIN" ] || die "etcdctl is not installed ($ETCDCTL_BIN missing); run: apt-get install etcd-client"
  local user
  user=$(etcd_user)
  install -d -m 0700 -o "$user" "$ETCD_DIR/data"
  chown "$user" "$ETCD_DIR"
  # One member, loopback only; the v3 API (Patroni's etcd3 DCS uses its JSON gateway).
  setsid setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups \
    "$ETCD_BIN" --name hsops-etcd1 --data-dir "$ETCD_DIR/data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "hsops-etcd1=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state new --initial-cluster-token hsops-patroni \
    --heartbeat-interval 100 --election-timeout 1000 \
    </dev/null >>"$ETCD_LOG" 2>&1 9>&- &
  echo $! >"$RUN_DIR/etcd.pid"
  wait_for "etcd on 127.0.0.1:$ETCD_CLIENT_PORT (etcdctl endpoint health)" "$ETCD_START_TIMEOUT" "$ETCD_LOG" etcd_healthy
}

# ---- Patroni -------------------------------------------------------------------------------
patroni_write_config() {
  local node=$1 pg_port rest_port dir
  pg_port=$(node_pg_port "$node")
  rest_port=$(node_rest_port "$node")
  dir=$PATRONI_DIR/$node
  install -d -m 0750 -o "$PG_OS_USER" "$dir"
  cat >"$dir/patroni.yml" <<EOF
# Patroni for the hsops test stack's Patroni profile (generated by tests/harness/lib/patroni.sh).
# Passwords are not here: PATRONI_SUPERUSER_PASSWORD / PATRONI_REPLICATION_PASSWORD come from
# $SECRETS_DIR/*.password through the environment when the harness starts Patroni.
scope: $PATRONI_SCOPE
namespace: $PATRONI_NAMESPACE
name: $node
restapi:
  listen: 127.0.0.1:$rest_port
  connect_address: 127.0.0.1:$rest_port
etcd3:
  hosts: 127.0.0.1:$ETCD_CLIENT_PORT
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
      use_slots: true
      remove_data_directory_on_rewind_failure: true
      remove_data_directory_on_diverged_timelines: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 64MB
        max_wal_size: 256MB
        fsync: 'off'
  initdb:
    - data-checksums
    - encoding: UTF8
    - locale: C
postgresql:
  listen: 127.0.0.1:$pg_port
  connect_address: 127.0.0.1:$pg_port
  data_dir: $(node_data "$node")
  bin_dir: $PG_BIN
  pgpass: $dir/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
  parameters:
    unix_socket_directories: '$PATRONI_SOCK'
    log_line_prefix: '%m [%p] %q%u@%d '
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
log:
  level: INFO
watchdog:
  mode: 'off'   # no /dev/watchdog in test containers
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
EOF
  chown "$PG_OS_USER" "$dir/patroni.yml"
  chmod 0640 "$dir/patroni.yml"
}

# patroni_start NODE: Patroni as $PG_OS_USER in its own session (its PostgreSQL gets a session
# of its own from Patroni); passwords only in its environment.
patroni_start() {
  local node=$1 gid
  gid=$(id -g "$PG_OS_USER")
  (
    PATRONI_SUPERUSER_PASSWORD=$(head -n1 "$SECRETS_DIR/superuser.password")
    PATRONI_REPLICATION_PASSWORD=$(head -n1 "$SECRETS_DIR/replication.password")
    export PATRONI_SUPERUSER_PASSWORD PATRONI_REPLICATION_PASSWORD
    export HOME=$PATRONI_DIR/$node
    cd "$PATRONI_DIR/$node" || exit 1
    exec setsid setpriv --reuid="$PG_OS_USER" --regid="$gid" --clear-groups \
      "$PATRONI_BIN" "$PATRONI_DIR/$node/patroni.yml" </dev/null >>"$(node_log "$node")" 2>&1 9>&-
  ) &
  echo $! >"$RUN_DIR/patroni-$node.pid"
}

# patroni_stop NODE: TERM Patroni (it stops its PostgreSQL, fast), bounded; then KILL what is
# left, Patroni and the postmaster named by postmaster.pid. Never by name.
patroni_stop() {
  local node=$1 pid pm i
  pid=$(patroni_pid "$node")
  pm=$(postmaster_pid "$node")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < PATRONI_STOP_TIMEOUT * 10; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid"; then
      warn "Patroni $node (pid $pid) did not stop within $PATRONI_STOP_TIMEOUT s; sending KILL (log: $(node_log "$node"))"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # Patroni normally stops PostgreSQL; a killed Patroni leaves it running.
  if pid_alive "$pm"; then
    runuser -u "$PG_OS_USER" -- "$PG_BIN/pg_ctl" -D "$(node_data "$node")" -m fast -w -t 20 stop >/dev/null 2>&1 9>&- ||
      stop_pid "PostgreSQL $node" "$pm" 10
  fi
  rm -f "$RUN_DIR/patroni-$node.pid"
}

# GET /cluster from whichever REST API answers (JSON on stdout).
cluster_json() {
  local port
  for port in "${REST1_PORT:-}" "${REST2_PORT:-}"; do
    [ -n "$port" ] || continue
    curl -fsS --max-time 2 "http://127.0.0.1:$port/cluster" 2>/dev/null && return 0
  done
  return 1
}

# One line per member + a summary line, from GET /cluster JSON on stdin.
cluster_summary() {
  python3 -c '
import json, sys
c = json.load(sys.stdin)
ms = c.get("members", [])
for m in ms:
    print("  %-26s %-8s %-10s timeline %-4s lag %-8s %s" % ("member " + m["name"], m.get("role", "?"), m.get("state", "?"),
          m.get("timeline", "?"), m.get("lag", "-"), "host %s:%s  %s" % (m.get("host", "?"), m.get("port", "?"), m.get("api_url", ""))))
leaders = [m["name"] for m in ms if m.get("role") == "leader"]
replicas = [m["name"] for m in ms if m.get("role") == "replica"]
print("  %-26s leader %s, replicas %s, paused %s" % ("cluster hsops-test", ",".join(leaders) or "NONE", ",".join(replicas) or "none",
      "yes" if c.get("pause") else "no"))
'
}

# The leader's name, when /cluster shows exactly one leader (running).
cluster_leader() {
  cluster_json | python3 -c '
import json, sys
ms = json.load(sys.stdin).get("members", [])
l = [m["name"] for m in ms if m.get("role") == "leader" and m.get("state") == "running"]
sys.exit(0 if len(l) == 1 and print(l[0]) is None else 1)'
}

# Healthy: /cluster has one running leader and one running replica with a known lag, and the
# leader's pg_stat_replication shows that replica streaming.
cluster_healthy() {
  local leader replica port
  read -r leader replica < <(cluster_json | python3 -c '
import json, sys
ms = json.load(sys.stdin).get("members", [])
l = [m["name"] for m in ms if m.get("role") == "leader" and m.get("state") == "running"]
r = [m["name"] for m in ms if m.get("role") == "replica" and m.get("state") == "running" and isinstance(m.get("lag"), int)]
if len(l) == 1 and len(r) == 1: print(l[0], r[0])') || return 1
  [ -n "$replica" ] || return 1
  port=$(node_pg_port "$leader")
  [ "$(PGCONNECT_TIMEOUT=3 timeout 5 "$PG_BIN/psql" -X -At -h "$PATRONI_SOCK" -p "$port" -U postgres -d postgres \
    -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$replica' AND state = 'streaming'" 2>/dev/null)" = 1 ]
}

# ---- haproxy (tests/harness/lib/haproxy.sh's start/stop/runtime API, a TCP config) ---------
# shellcheck source=/dev/null
. "$HARNESS_DIR/lib/haproxy.sh"   # after STACK_DIR/RUN_DIR point here: its paths follow them
HAPROXY_BACKEND=pg_primary

haproxy_write_config() {
  install -d -m 0750 -o "$HAPROXY_USER" -g "$(id -g "$HAPROXY_USER")" "$HAPROXY_DIR"
  cat >"$HAPROXY_CFG" <<EOCFG
# haproxy for the hsops Patroni profile (generated by tests/harness/lib/patroni.sh): a TCP
# frontend that follows the Patroni leader (Patroni's documented haproxy convention: health
# check GET /primary on each node's REST API, 200 only on the leader).
# Runtime API: echo "show stat" | socat stdio unix-connect:$HAPROXY_SOCK
global
    stats socket $HAPROXY_SOCK mode 600 level admin
    stats timeout 30s
    maxconn 256
    nbthread 1
    log stdout format raw local0 info

defaults
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 2s

frontend pg_primary
    bind 127.0.0.1:$HAPROXY_PORT
    default_backend $HAPROXY_BACKEND

backend $HAPROXY_BACKEND
    option httpchk
    http-check send meth GET uri /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$PG1_PORT check port $REST1_PORT
    server pg2 127.0.0.1:$PG2_PORT check port $REST2_PORT
EOCFG
  chmod 0644 "$HAPROXY_CFG"
}

# haproxy answers: runtime API up and one server UP (the leader).
haproxy_answers() {
  haproxy_cmd "show stat" 2>/dev/null | awk -F, -v be="$HAPROXY_BACKEND" '$1 == be && $2 != "BACKEND" && $18 == "UP" { n++ } END { exit n == 1 ? 0 : 1 }'
}

haproxy_status_lines() {
  local extra="127.0.0.1:${HAPROXY_PORT:-?} (TCP, -> leader)  socket $HAPROXY_SOCK  log $HAPROXY_LOG"
  status_line "haproxy" "$(haproxy_pid)" "$extra"
  if haproxy_running; then
    printf '  %-26s %s\n' "haproxy backend $HAPROXY_BACKEND" "$(haproxy_server_states)"
  fi
}
