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
# Synapse on top (lib/synapse.sh, run from the cached chroot, lib/chroot.sh): hs1 (master) and
# hs2 (hot spare) share keys, secrets and media in $SYN_DIR; both use the database through the
# leader-following haproxy frontend. lib/synapse.sh reads SYN_DIR, SECRETS_DIR, RUN_DIR,
# SYNAPSE_PORT (the Synapse that registers users: hs1), SERVER_NAME and REPORT_STATS.
SYN_DIR=$PATRONI_DIR/synapse              # shared: keys, secrets, media; homeserver.yaml -> ../hs1/homeserver.yaml
HS1_DIR=$PATRONI_DIR/hs1
HS2_DIR=$PATRONI_DIR/hs2
unset SPARE_DIR                           # the main stack's layout; not used here
PLAYBOOK_FILE=$PATRONI_DIR/playbook.yaml
# shellcheck disable=SC2034 # read by tests/harness/patroni (synapse start)
SYN_DB_WAIT=${HSOPS_PATRONI_SYNAPSE_DB_WAIT:-30}          # seconds: the leader writable through haproxy before a Synapse starts

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
SYN_BACKEND=synapse               # the HTTP frontend's backend (servers hs1, hs2), as in lib/haproxy.sh

haproxy_write_config() {
  install -d -m 0750 -o "$HAPROXY_USER" -g "$(id -g "$HAPROXY_USER")" "$HAPROXY_DIR"
  printf '{"m.homeserver":{"base_url":"http://127.0.0.1:%s/"}}\n' "$SYN_HTTP_PORT" >"$HAPROXY_WELL_KNOWN"
  chmod 0644 "$HAPROXY_WELL_KNOWN"
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
    # Checked every 500 ms: after a failover, haproxy's next check of the new leader's /primary
    # is what Synapse waits for (docs/performance.md "Patroni: unplanned failover").
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
    server pg1 127.0.0.1:$PG1_PORT check port $REST1_PORT
    server pg2 127.0.0.1:$PG2_PORT check port $REST2_PORT

# The public client route in front of the two Synapses (as lib/haproxy.sh does for the main
# stack): hs1 serves, hs2 (the spare) starts in maintenance. A failover (route.switch):
# set server $SYN_BACKEND/hs2 state ready, then set server $SYN_BACKEND/hs1 state maint.
frontend matrix
    mode http
    bind 127.0.0.1:$SYN_HTTP_PORT
    option httplog
    option dontlognull
    # /sync long-polls (the probe waits up to 30 s for its echo) fit in the 30m client timeout.
    timeout http-request 10s
    http-request return status 200 content-type application/json hdr Access-Control-Allow-Origin "*" file $HAPROXY_WELL_KNOWN if { path /.well-known/matrix/client }
    default_backend $SYN_BACKEND

backend $SYN_BACKEND
    mode http
    timeout server 60s
    option httpchk
    http-check send meth GET uri /_matrix/client/versions ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
    server hs1 127.0.0.1:$HS1_PORT
    server hs2 127.0.0.1:$HS2_PORT disabled
EOCFG
  chmod 0644 "$HAPROXY_CFG"
}

# haproxy answers: runtime API up and one server UP (the leader).
haproxy_answers() {
  haproxy_cmd "show stat" 2>/dev/null | awk -F, -v be="$HAPROXY_BACKEND" '$1 == be && $2 != "BACKEND" && $18 == "UP" { n++ } END { exit n == 1 ? 0 : 1 }'
}

haproxy_status_lines() {
  local extra="127.0.0.1:${HAPROXY_PORT:-?} (TCP, -> leader)  http://127.0.0.1:${SYN_HTTP_PORT:-?} (Synapse)  socket $HAPROXY_SOCK  log $HAPROXY_LOG"
  status_line "haproxy" "$(haproxy_pid)" "$extra"
  if haproxy_running; then
    printf '  %-26s %s\n' "haproxy backend $HAPROXY_BACKEND" "$(haproxy_server_states)"
    local route="NOT answering"
    public_route_answers && route="answering"
    printf '  %-26s %s  (http://127.0.0.1:%s %s)\n' "haproxy backend $SYN_BACKEND" \
      "$(HAPROXY_BACKEND=$SYN_BACKEND haproxy_server_states)" "${SYN_HTTP_PORT:-?}" "$route"
  fi
}

public_route_answers() { [ -n "${SYN_HTTP_PORT:-}" ] && versions_answer "$SYN_HTTP_PORT"; }


# ---- Synapse hs1 (master) and hs2 (hot spare) over the leader-following frontend -------------
hs_dir() { echo "$PATRONI_DIR/$1"; }
hs_port() { if [ "$1" = hs1 ]; then echo "${HS1_PORT:-?}"; else echo "${HS2_PORT:-?}"; fi; }
hs_metrics_port() { if [ "$1" = hs1 ]; then echo "${HS1_METRICS_PORT:-?}"; else echo "${HS2_METRICS_PORT:-?}"; fi; }
hs_pid() { pidfile_pid "$RUN_DIR/$1.pid"; }
hs_running() { pid_alive "$(hs_pid "$1")"; }

# One Synapse runs and answers, and the public route answers.
synapse_serving() {
  local name
  public_route_answers || return 1
  for name in hs1 hs2; do
    hs_running "$name" && versions_answer "$(hs_port "$name")" && return 0
  done
  return 1
}

# SYN_UID/SYN_GID: the chroot's matrix-synapse user.
syn_load_ids() {
  local ids
  ids=$(chroot_synapse_ids)
  [ -n "$ids" ] || die "the chroot $CHROOT_DIR has no matrix-synapse user; rebuild it: tests/harness/stack chroot --rebuild"
  SYN_UID=${ids%%:*}
  SYN_GID=${ids##*:}
}

# psql as postgres over the leader's unix socket (trust); SQL on stdin (secrets never on argv).
leader_psql() {
  local leader
  leader=$(cluster_leader) || die "GET /cluster shows no single running leader; see: tests/harness/patroni status"
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PATRONI_SOCK" -p "$(node_pg_port "$leader")" -U postgres "$@"
}

# Roles synapse (owns the database synapse) and hsops_failover (the playbook's node conninfo:
# pg.verify_primary takes a transaction id / a temp-table write), created on the leader; pg2
# gets them by streaming. pg_hba's `host all all 127.0.0.1/32 scram-sha-256` admits both.
synapse_db_create() {
  local synapse_pw failover_pw
  write_secret "$SECRETS_DIR/pg-synapse.password"
  write_secret "$SECRETS_DIR/pg-failover.password"
  synapse_pw=$(head -n1 "$SECRETS_DIR/pg-synapse.password")
  failover_pw=$(head -n1 "$SECRETS_DIR/pg-failover.password")
  leader_psql -d postgres >"$PATRONI_DIR/synapse-db.log" 2>&1 <<EOF ||
\\set synapse_pw '$synapse_pw'
\\set failover_pw '$failover_pw'
CREATE ROLE synapse LOGIN PASSWORD :'synapse_pw';
CREATE DATABASE synapse OWNER synapse ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' TEMPLATE template0;
CREATE ROLE hsops_failover LOGIN PASSWORD :'failover_pw' IN ROLE pg_monitor;
GRANT CONNECT, TEMPORARY ON DATABASE postgres TO hsops_failover;
EOF
    die "creating the synapse and hsops_failover roles and the synapse database on the leader failed" "$PATRONI_DIR/synapse-db.log"
  pg_write_passfile_port "$SECRETS_DIR/pg-failover.pgpass" hsops_failover "$SECRETS_DIR/pg-failover.password" "*"
}

# pgpass line for USER on 127.0.0.1:PORT ("*": any port).
pg_write_passfile_port() {
  local file=$1 user=$2 pwfile=$3 port=$4 owner=${5:-}
  (umask 077 && printf '127.0.0.1:%s:*:%s:%s\n' "$port" "$user" "$(head -n1 "$pwfile")" >"$file")
  chmod 0600 "$file"
  [ -z "$owner" ] || chown "$owner" "$file"
}

# Configs for hs1 and hs2 (database: 127.0.0.1:$HAPROXY_PORT, whichever node leads) and the
# shared keys and secrets. Needs the chroot bind mount.
synapse_write_configs() {
  install -d -m 0750 -o "$SYN_UID" -g "$SYN_GID" "$SYN_DIR" "$SYN_DIR/media"
  # lib/synapse.sh writes the pgpass for "both nodes" (PG_PRIMARY_PORT, PG_STANDBY_PORT): here
  # that is the one haproxy frontend.
  # shellcheck disable=SC2034 # read by pg_write_passfile (lib/pg.sh)
  PG_PRIMARY_PORT=$HAPROXY_PORT PG_STANDBY_PORT=$HAPROXY_PORT
  synapse_write_config "$HS1_DIR" "$HS1_PORT" "$HS1_METRICS_PORT" "$HAPROXY_PORT"
  synapse_write_config "$HS2_DIR" "$HS2_PORT" "$HS2_METRICS_PORT" "$HAPROXY_PORT"
  # synapse_write_secrets and synapse_register read <shared>/homeserver.yaml: hs1's.
  ln -sfn ../hs1/homeserver.yaml "$SYN_DIR/homeserver.yaml"
  synapse_write_secrets
}

# The leader answers writes through haproxy (after a switchover haproxy needs a check or two).
haproxy_db_writable() {
  [ "$(PGCONNECT_TIMEOUT=3 PGPASSFILE=$SECRETS_DIR/superuser.pgpass timeout 5 "$PG_BIN/psql" -X -At -h 127.0.0.1 \
    -p "$HAPROXY_PORT" -U postgres -d postgres -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ]
}

# hs_start NAME: lib/synapse.sh's synapse_start (own session, 9>&-, run/NAME.pid, bounded wait
# for /_matrix/client/versions).
hs_start() {
  local name=$1
  chroot_mount
  synapse_start "$(hs_dir "$name")" "$(hs_port "$name")"
}

# hs_stop NAME: bounded (TERM to its session, KILL after 20 s), idempotent.
hs_stop() {
  local name=$1 pid
  pid=$(hs_pid "$name")
  if [ -n "$pid" ]; then stop_pid "Synapse $name" "$pid" 20; fi
  rm -f "$RUN_DIR/$name.pid"
}

hs_status_lines() {
  local name extra role
  for name in hs1 hs2; do
    role=master
    [ "$name" = hs1 ] || role="hot spare"
    extra="http://127.0.0.1:$(hs_port "$name") (metrics :$(hs_metrics_port "$name"))  $role  log $(hs_dir "$name")/homeserver.log"
    if hs_running "$name"; then
      versions_answer "$(hs_port "$name")" && extra="$extra  (answering)" || extra="$extra  (NOT answering)"
    fi
    status_line "Synapse $name" "$(hs_pid "$name")" "$extra"
  done
  local m
  m=$(mounts_under "$CHROOT_DIR" | tr '\n' ' ')
  printf '  %-26s %s\n' "chroot mounts" "${m:-none}"
}

# The failover playbook for this profile (docs/failover.md "Patroni backend"; compare
# playbooks/patroni-example.yaml and the main stack's lib/env.sh write_playbook).
write_patroni_playbook() {
  local script="$HARNESS_DIR/patroni"
  # The harness commands find this profile again whatever the caller's cwd and environment.
  local env="env, HSOPS_PATRONI_DIR=$PATRONI_DIR, HSOPS_PATRONI_PORT_BASE=$PORT_BASE, HSOPS_CHROOT_DIR=$CHROOT_DIR, HSOPS_PG_OS_USER=$PG_OS_USER, HSOPS_PG_BIN=$PG_BIN"
  cat >"$PLAYBOOK_FILE" <<EOF
# Failover playbook for the hsops Patroni profile (generated by tests/harness/lib/patroni.sh):
# Patroni owns the leadership (switchover through its REST API), Synapse hs1/hs2 both use the
# database through haproxy's leader-following frontend, the route is haproxy's backend
# $SYN_BACKEND. hsops failover plan|switchover $PLAYBOOK_FILE
name: hsops-test-patroni
state_dir: $PATRONI_DIR/failover
database:
  backend: patroni
  patroni:
    # Each member's REST API. The profile sets no restapi.authentication, so no
    # username / password_file here.
    urls: [http://127.0.0.1:$REST1_PORT, http://127.0.0.1:$REST2_PORT]
  primary: pg1
  standby: pg2
  nodes:
    # Patroni member names; the conninfo (each node's own port) is for pg.verify_primary.
    pg1:
      conninfo: "host=127.0.0.1 port=$PG1_PORT user=hsops_failover dbname=postgres"
      password_file: $SECRETS_DIR/pg-failover.password
    pg2:
      conninfo: "host=127.0.0.1 port=$PG2_PORT user=hsops_failover dbname=postgres"
      password_file: $SECRETS_DIR/pg-failover.password
homeserver:
  active: hs1
  spare: hs2
  nodes:
    hs1:
      url: http://127.0.0.1:$HS1_PORT
      stop: {command: [$env, $script, synapse, stop, hs1], deadline: 60s}
      start: {command: [$env, $script, synapse, start, hs1], deadline: 180s}
    hs2:
      url: http://127.0.0.1:$HS2_PORT
      stop: {command: [$env, $script, synapse, stop, hs2], deadline: 60s}
      start: {command: [$env, $script, synapse, start, hs2], deadline: 180s}
route:
  haproxy:
    socket: $HAPROXY_SOCK
    backend: $SYN_BACKEND
    servers: {hs1: hs1, hs2: hs2}
probe:
  url: http://127.0.0.1:$SYN_HTTP_PORT
  user: '@probe:$SERVER_NAME'
  password_file: $SECRETS_DIR/probe.password
EOF
  install -d -m 0700 "$PATRONI_DIR/failover"
}
