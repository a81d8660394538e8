# shellcheck shell=bash
# The up / down / status / env commands.

STACK_MARKER=$STACK_DIR/.hsops-stack
STATE_FILE=$STACK_DIR/state
UP_STEPS=9

stack_state() { cat "$STATE_FILE" 2>/dev/null || echo none; }
set_state() { echo "$1" >"$STATE_FILE"; }
load_ports() { [ -f "$PORTS_FILE" ] && . "$PORTS_FILE"; }

synapse_pid() { pidfile_pid "$RUN_DIR/$1.pid"; }

stack_fully_up() {
  [ "$(stack_state)" = up ] && load_ports || return 1
  pg_running primary && pg_running standby && pid_alive "$(synapse_pid synapse)" &&
    versions_answer "$SYNAPSE_PORT" && bridge_running && haproxy_running && haproxy_answers
}

lock_stack() {
  command -v flock >/dev/null || return 0
  # Long-lived children are started with 9>&- so they never hold this lock.
  exec 9>"$STACK_DIR.lock"
  flock -w 600 9 || die "another 'stack' command holds $STACK_DIR.lock for over 600 s; wait for it or remove the lock file"
}

# The state dir is removed with rm -rf only when it carries our marker.
check_owned_dir() {
  if [ -e "$STACK_DIR" ] && [ ! -f "$STACK_MARKER" ]; then
    if [ -d "$STACK_DIR" ] && [ -z "$(ls -A "$STACK_DIR")" ]; then return 0; fi
    die "$STACK_DIR exists but is not an hsops stack dir (no .hsops-stack marker); remove it or set HSOPS_STACK_DIR to another path"
  fi
}

# ---------------------------------------------------------------------------------------------
cmd_up() {
  local rebuild=${1:-}
  need_root
  check_owned_dir
  mkdir -p "${STACK_DIR%/*}"
  lock_stack
  local t_up
  t_up=$(now)

  if stack_fully_up; then
    say "stack is already up ($STACK_DIR, Synapse at http://127.0.0.1:$SYNAPSE_PORT); nothing to do. 'stack down' stops it."
    [ "$rebuild" != --rebuild ] || warn "--rebuild ignored while the stack is up; run 'stack down' first"
    return 0
  fi
  if [ -f "$STACK_MARKER" ]; then
    local st
    st=$(stack_state)
    if [ "$st" != down ]; then
      say "found stale state in $STACK_DIR from an earlier run (state '$st', not all processes alive); cleaning it up first"
      stop_all quiet
    fi
    safe_rm_tree "$STACK_DIR"
  fi

  step 1 $UP_STEPS "Synapse chroot (Debian sid) at $CHROOT_DIR"
  local cached=cached
  chroot_complete && [ "$rebuild" != --rebuild ] || cached=built
  ensure_chroot "$rebuild"
  SYN_IDS=$(chroot_synapse_ids)
  [ -n "$SYN_IDS" ] || die "the chroot has no matrix-synapse user; rebuild it: tests/harness/stack up --rebuild"
  SYN_UID=${SYN_IDS%%:*}
  SYN_GID=${SYN_IDS##*:}
  step_done "$cached, matrix-synapse $(chroot_synapse_version)"

  # Fresh state dir, ports, secrets.
  install -d -m 0755 "$STACK_DIR" "$RUN_DIR"
  touch "$STACK_MARKER"
  set_state starting
  install -d -m 0700 "$SECRETS_DIR"
  pg_ensure_os_user
  runuser -u "$PG_OS_USER" -- test -x "$STACK_DIR" ||
    die "the OS user $PG_OS_USER cannot reach $STACK_DIR (a parent dir is not searchable by others); set HSOPS_STACK_DIR to a path under /tmp"
  pick_port PG_PRIMARY_PORT HSOPS_PG_PRIMARY_PORT
  pick_port PG_STANDBY_PORT HSOPS_PG_STANDBY_PORT
  pick_port SYNAPSE_PORT HSOPS_SYNAPSE_PORT
  pick_port SYNAPSE_METRICS_PORT HSOPS_SYNAPSE_METRICS_PORT
  pick_port SPARE_PORT HSOPS_SYNAPSE_SPARE_PORT
  pick_port SPARE_METRICS_PORT HSOPS_SYNAPSE_SPARE_METRICS_PORT
  bridge_pick_ports
  pick_port HAPROXY_PORT HSOPS_HAPROXY_PORT # after the bridge's: P+10 when all below are free
  cat >"$PORTS_FILE" <<EOF
PG_PRIMARY_PORT=$PG_PRIMARY_PORT
PG_STANDBY_PORT=$PG_STANDBY_PORT
SYNAPSE_PORT=$SYNAPSE_PORT
SYNAPSE_METRICS_PORT=$SYNAPSE_METRICS_PORT
SPARE_PORT=$SPARE_PORT
SPARE_METRICS_PORT=$SPARE_METRICS_PORT
HAPROXY_PORT=$HAPROXY_PORT
SYN_UID=$SYN_UID
SYN_GID=$SYN_GID
EOF
  bridge_ports_lines >>"$PORTS_FILE"
  local f
  for f in pg-hsops pg-synapse probe admin; do write_secret "$SECRETS_DIR/$f.password"; done

  step 2 $UP_STEPS "PostgreSQL primary on 127.0.0.1:$PG_PRIMARY_PORT"
  pg_init_primary "$PG_PRIMARY_PORT"
  pg_start primary "$PG_PRIMARY_PORT"
  step_done

  step 3 $UP_STEPS "roles hsops (pg_monitor), synapse and the synapse database"
  pg_create_roles "$PG_PRIMARY_PORT"
  pg_write_passfile "$SECRETS_DIR/pg-hsops.pgpass" hsops "$SECRETS_DIR/pg-hsops.password"
  step_done

  step 4 $UP_STEPS "PostgreSQL hot standby on 127.0.0.1:$PG_STANDBY_PORT (slot $PG_SLOT)"
  pg_make_standby "$PG_PRIMARY_PORT"
  pg_start standby "$PG_STANDBY_PORT"
  pg_wait_streaming "$PG_PRIMARY_PORT"
  step_done "streaming"

  step 5 $UP_STEPS "Synapse configs (main -> primary, hot spare -> standby) and keys"
  chroot_mount
  install -d -m 0750 -o "$SYN_UID" -g "$SYN_GID" "$SYN_DIR"
  bridge_write_registration # before Synapse starts: it reads app_service_config_files at start-up
  synapse_write_config "$SYN_DIR" "$SYNAPSE_PORT" "$SYNAPSE_METRICS_PORT" "$PG_PRIMARY_PORT"
  synapse_write_secrets
  synapse_write_config "$SPARE_DIR" "$SPARE_PORT" "$SPARE_METRICS_PORT" "$PG_STANDBY_PORT"
  step_done

  step 6 $UP_STEPS "starting Synapse on 127.0.0.1:$SYNAPSE_PORT (metrics :$SYNAPSE_METRICS_PORT)"
  synapse_start "$SYN_DIR" "$SYNAPSE_PORT"
  step_done "answering /_matrix/client/versions"

  step 7 $UP_STEPS "haproxy on 127.0.0.1:$HAPROXY_PORT -> backend $HAPROXY_BACKEND: master :$SYNAPSE_PORT, spare :$SPARE_PORT (maint)"
  haproxy_start
  step_done "runtime API $HAPROXY_SOCK"

  step 8 $UP_STEPS "ngircd on 127.0.0.1:$IRC_PORT, the test bridge (appservice :$BRIDGE_PORT), user @canary"
  bridge_start
  step_done

  step 9 $UP_STEPS "users @probe and @admin, env file, hsops config"
  synapse_register probe --no-admin "$SECRETS_DIR/probe.password"
  synapse_register admin --admin "$SECRETS_DIR/admin.password"
  (umask 077 && synapse_login_token "@admin:$SERVER_NAME" "$SECRETS_DIR/admin.password" >"$SECRETS_DIR/admin.token")
  [ -s "$SECRETS_DIR/admin.token" ] || die "logging in as @admin:$SERVER_NAME failed" "$SYN_DIR/homeserver.log"
  synapse_override_probe_ratelimit
  write_hsops_config
  write_collector_config
  write_playbook
  write_env_file
  set_state up
  step_done

  say "stack up in $(elapsed "$t_up") s: Synapse $(chroot_synapse_version) at http://127.0.0.1:$SYNAPSE_PORT (through haproxy: http://127.0.0.1:$HAPROXY_PORT), PostgreSQL primary :$PG_PRIMARY_PORT, standby :$PG_STANDBY_PORT"
  say "use it with: eval \"\$(tests/harness/stack env)\"   (env file: $ENV_FILE)"
}

# ---------------------------------------------------------------------------------------------
# stop_all [quiet]: everything this harness started, via pid files; never by process name.
stop_all() {
  local quiet=${1:-} name pid
  load_ports || true
  local steps=5
  bridge_stop # first: it talks to Synapse
  [ "$quiet" = quiet ] || step 1 $steps "stopping haproxy"
  haproxy_stop
  [ "$quiet" = quiet ] || step_done
  [ "$quiet" = quiet ] || step 2 $steps "stopping Synapse (main and hot spare)"
  for name in synapse-spare synapse; do
    pid=$(synapse_pid "$name")
    if [ -n "$pid" ]; then stop_pid "Synapse ($name)" "$pid" 20; fi
    rm -f "$RUN_DIR/$name.pid"
  done
  [ "$quiet" = quiet ] || step_done
  [ "$quiet" = quiet ] || step 3 $steps "stopping the PostgreSQL standby"
  pg_stop standby
  [ "$quiet" = quiet ] || step_done
  [ "$quiet" = quiet ] || step 4 $steps "stopping the PostgreSQL primary"
  pg_stop primary
  [ "$quiet" = quiet ] || step_done
  [ "$quiet" = quiet ] || step 5 $steps "unmounting the chroot's /proc and state-dir bind mounts"
  chroot_unmount
  [ "$quiet" = quiet ] || step_done
  if [ -f "$STACK_MARKER" ]; then set_state down; fi
}

cmd_down() {
  local purge=${1:-}
  need_root
  if [ ! -e "$STACK_DIR" ]; then
    chroot_unmount
    say "stack is not up (no $STACK_DIR); nothing to stop"
    return 0
  fi
  check_owned_dir
  lock_stack
  # Remember the pids before stopping, to prove afterwards that none is left.
  local pids="" p
  # shellcheck disable=SC2046 # bridge_pids: zero to two words
  for p in "$(haproxy_pid)" "$(synapse_pid synapse)" "$(synapse_pid synapse-spare)" "$(pg_pid primary)" "$(pg_pid standby)" $(bridge_pids); do
    [ -z "$p" ] || pids="$pids $p"
  done
  local t0
  t0=$(now)
  stop_all
  local left=""
  for p in $pids; do pid_alive "$p" && left="$left $p"; done
  [ -z "$left" ] || die "processes still running after down:$left (see ps -o pid,cmd -p${left// /,}); stop them by pid, then rerun 'stack down'"
  if [ "$purge" = --purge ]; then
    safe_rm_tree "$STACK_DIR"
    rm -f "$STACK_DIR.lock"
    say "stack down in $(elapsed "$t0") s; no process left (pids:${pids:- none}); $STACK_DIR removed"
  else
    say "stack down in $(elapsed "$t0") s; no process left (pids:${pids:- none}); logs kept in $STACK_DIR ('stack down --purge' removes it)"
  fi
}

# ---------------------------------------------------------------------------------------------
status_line() {
  local what=$1 pid=$2 extra=$3
  if pid_alive "$pid"; then
    printf '  %-26s running  pid %-8s %s\n' "$what" "$pid" "$extra"
  elif [ -n "$pid" ]; then
    printf '  %-26s DEAD     pid %-8s %s (stale pid file)\n' "$what" "$pid" "$extra"
  else
    printf '  %-26s stopped  %-12s %s\n' "$what" "" "$extra"
  fi
}

cmd_status() {
  if [ ! -f "$STACK_MARKER" ]; then
    say "stack is not up (no state in $STACK_DIR); chroot: $(chroot_complete && echo "cached at $CHROOT_DIR ($(chroot_synapse_version))" || echo "not built")"
    return 3
  fi
  load_ports || true
  say "stack $STACK_DIR: state $(stack_state)"
  status_line "PostgreSQL primary" "$(pg_pid primary)" "127.0.0.1:${PG_PRIMARY_PORT:-?}  log $PG_DIR/log/primary.log"
  status_line "PostgreSQL standby" "$(pg_pid standby)" "127.0.0.1:${PG_STANDBY_PORT:-?}  log $PG_DIR/log/standby.log"
  if pg_running primary; then
    local repl
    repl=$("$PG_BIN/psql" -X -At -h "$PG_SOCK" -p "$PG_PRIMARY_PORT" -U postgres -d postgres \
      -c "SELECT coalesce(string_agg(application_name || ' ' || state || ' replay_lag=' || coalesce(replay_lag::text, '0'), ', '), 'no standby connected') FROM pg_stat_replication" 2>/dev/null || echo "?")
    printf '  %-26s %s\n' "replication" "$repl"
  fi
  local roles split=0
  roles=$(pg_roles_line) || split=1
  printf '  %-26s %s\n' "PostgreSQL primary is" "$roles"
  local extra="http://127.0.0.1:${SYNAPSE_PORT:-?}  log $SYN_DIR/homeserver.log"
  if [ -n "${SYNAPSE_PORT:-}" ] && pid_alive "$(synapse_pid synapse)"; then
    versions_answer "$SYNAPSE_PORT" && extra="$extra  (answering)" || extra="$extra  (NOT answering)"
  fi
  status_line "Synapse" "$(synapse_pid synapse)" "$extra"
  extra="http://127.0.0.1:${SPARE_PORT:-?}  log $SPARE_DIR/homeserver.log"
  if pid_alive "$(synapse_pid synapse-spare)"; then
    versions_answer "$SPARE_PORT" && extra="$extra  (answering)" || extra="$extra  (NOT answering)"
  else
    extra="$extra  (not started by default; 'stack spare start' after promoting the standby)"
  fi
  status_line "Synapse hot spare" "$(synapse_pid synapse-spare)" "$extra"
  haproxy_status_lines
  bridge_status_lines
  local m
  m=$(mounts_under "$CHROOT_DIR" | tr '\n' ' ')
  printf '  %-26s %s\n' "chroot mounts" "${m:-none}"
  stack_fully_up && [ "$split" = 0 ]
}

# pg_in_recovery PORT -> t | f | "" (not answering); bounded (a hung server cannot hang status).
pg_in_recovery() {
  PGCONNECT_TIMEOUT=3 timeout 5 "$PG_BIN/psql" -X -At -h "$PG_SOCK" -p "$1" -U postgres -d postgres \
    -c "SELECT pg_is_in_recovery()" 2>/dev/null || true
}

# Which node is primary (pg_is_in_recovery() = f): one line; returns 1 on a split brain.
pg_roles_line() {
  local p s
  p=$(pg_in_recovery "${PG_PRIMARY_PORT:-0}")
  s=$(pg_in_recovery "${PG_STANDBY_PORT:-0}")
  local desc_p desc_s
  case "$p" in t) desc_p="in recovery" ;; f) desc_p="PRIMARY" ;; *) desc_p="not answering" ;; esac
  case "$s" in t) desc_s="in recovery" ;; f) desc_s="PRIMARY" ;; *) desc_s="not answering" ;; esac
  local nodes="node 'primary' :${PG_PRIMARY_PORT:-?} $desc_p, node 'standby' :${PG_STANDBY_PORT:-?} $desc_s"
  if [ "$p" = f ] && [ "$s" = f ]; then
    echo "!!! SPLIT BRAIN: BOTH NODES ARE PRIMARY (writable) !!! ($nodes); fence one before anything writes"
    return 1
  elif [ "$p" = f ]; then
    echo "node 'primary' :$PG_PRIMARY_PORT  (node 'standby' :$PG_STANDBY_PORT $desc_s)"
  elif [ "$s" = f ]; then
    echo "node 'standby' :$PG_STANDBY_PORT, promoted  (node 'primary' :$PG_PRIMARY_PORT $desc_p)"
  else
    echo "NONE: no node is primary ($nodes)"
  fi
}

# ---------------------------------------------------------------------------------------------
# stack synapse start|stop and stack spare start|stop: the main Synapse (database: the node
# 'primary') and the hot spare (database: the node 'standby'). A failover (hsops failover, the
# stack's playbook) stops one and starts the other. Starting needs its database node to be
# writable: against a read-only hot standby Synapse cannot start, so that is refused up front
# with what to do; the start is bounded (HSOPS_SYNAPSE_START_TIMEOUT / _SPARE_START_TIMEOUT)
# and a failed start leaves nothing running. haproxy is not touched: its servers stay in
# whatever state the runtime API set.
cmd_synapse_node() {
  local name=$1 action=${2:-}
  need_root
  [ -f "$STACK_MARKER" ] && load_ports || die "no stack in $STACK_DIR; run: tests/harness/stack up"
  lock_stack
  local dir port db_node db_port label timeout
  if [ "$name" = synapse ]; then
    dir=$SYN_DIR port=$SYNAPSE_PORT db_node=primary db_port=$PG_PRIMARY_PORT label="main Synapse"
    timeout=$SYNAPSE_START_TIMEOUT
  else
    dir=$SPARE_DIR port=$SPARE_PORT db_node=standby db_port=$PG_STANDBY_PORT label="hot-spare Synapse"
    timeout=${HSOPS_SYNAPSE_SPARE_START_TIMEOUT:-60}
  fi
  local pid
  pid=$(synapse_pid "$name")
  case "$action" in
    start)
      if pid_alive "$pid"; then
        say "the $label is already running (pid $pid, http://127.0.0.1:$port)"
        return 0
      fi
      [ -f "$dir/homeserver.yaml" ] || die "no config at $dir/homeserver.yaml; run: tests/harness/stack up"
      SYN_UID=${SYN_UID:?} SYN_GID=${SYN_GID:?}
      local rec
      rec=$(pg_in_recovery "$db_port")
      case "$rec" in
        f) ;;
        t) die "the node '$db_node' (127.0.0.1:$db_port) is a read-only hot standby (pg_is_in_recovery() = t); the $label cannot run against it. Promote it first (hsops failover, or: runuser -u $PG_OS_USER -- $PG_BIN/pg_ctl -D $PG_DIR/$db_node promote)" ;;
        *) die "the node '$db_node' (127.0.0.1:$db_port) does not answer; start it or check $PG_DIR/log/$db_node.log" "$PG_DIR/log/$db_node.log" ;;
      esac
      chroot_mount
      local t0
      t0=$(now)
      step 1 1 "starting the $label on 127.0.0.1:$port (database: the node '$db_node' :$db_port)"
      if ! (SYNAPSE_START_TIMEOUT=$timeout synapse_start "$dir" "$port"); then
        pid=$(synapse_pid "$name")
        if [ -n "$pid" ]; then stop_pid "Synapse ($name)" "$pid" 20; fi
        rm -f "$RUN_DIR/$name.pid"
        die "the $label did not start (see above); nothing of it is left running"
      fi
      step_done "answering /_matrix/client/versions"
      say "$label up in $(elapsed "$t0") s: http://127.0.0.1:$port (pid $(synapse_pid "$name")); haproxy still routes by its runtime state"
      ;;
    stop)
      if [ -n "$pid" ]; then stop_pid "Synapse ($name)" "$pid" 20; fi
      rm -f "$RUN_DIR/$name.pid"
      say "$label stopped${pid:+ (pid $pid)}"
      ;;
    *) die "usage: tests/harness/stack ${name/synapse-spare/spare} start|stop" ;;
  esac
}

cmd_env() {
  [ -f "$ENV_FILE" ] || die "no env file at $ENV_FILE: the stack is not up; run: tests/harness/stack up"
  [ "$(stack_state)" = up ] || warn "the stack in $STACK_DIR is not up (state $(stack_state)); run: tests/harness/stack up"
  print_exports
}

# stack pg start|stop primary|standby: one PostgreSQL node, the way a failover playbook's
# `stop`/`start` commands do it (fast shutdown, bounded; start on the node's own port). The
# node keeps whatever role it has: starting a fenced old primary that has a standby.signal
# starts it as a standby.
cmd_pg_node() {
  local action=${1:-} node=${2:-} port
  need_root
  [ -f "$STACK_MARKER" ] && load_ports || die "no stack in $STACK_DIR; run: tests/harness/stack up"
  case "$node" in
    primary) port=$PG_PRIMARY_PORT ;;
    standby) port=$PG_STANDBY_PORT ;;
    *) die "usage: tests/harness/stack pg start|stop primary|standby (got node '$node')" ;;
  esac
  lock_stack
  case "$action" in
    start)
      if pg_running "$node"; then say "PostgreSQL $node is already running (pid $(pg_pid "$node"))"; return 0; fi
      pg_start "$node" "$port"
      say "PostgreSQL $node started on 127.0.0.1:$port (pid $(pg_pid "$node"))"
      ;;
    stop)
      pg_stop "$node"
      say "PostgreSQL $node stopped"
      ;;
    *) die "usage: tests/harness/stack pg start|stop primary|standby" ;;
  esac
}
