# shellcheck shell=bash
# Shared helpers for tests/harness/stack: settings, progress output, errors, pid files, ports.

# ---- settings (all overridable from the environment) ------------------------------------
HARNESS_NAME=${HARNESS_NAME:-stack}   # the script sourcing this (messages name it): stack, patroni
STACK_DIR=$(realpath -m "${HSOPS_STACK_DIR:-/tmp/hsops-stack}")   # absolute: it is bind-mounted
CHROOT_DIR=${HSOPS_CHROOT_DIR:-/var/cache/hsops/synapse-sid-chroot}
DEBIAN_MIRROR=${HSOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
PG_BIN=${HSOPS_PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${HSOPS_PG_OS_USER:-postgres}        # created with useradd when missing
PORT_BASE=${HSOPS_STACK_PORT_BASE:-25432}       # first port tried when picking free ports
SERVER_NAME=${HSOPS_SYNAPSE_SERVER_NAME:-hsops.test}
REPORT_STATS=${HSOPS_SYNAPSE_REPORT_STATS:-false}
SYNAPSE_START_TIMEOUT=${HSOPS_SYNAPSE_START_TIMEOUT:-120}   # seconds
PG_START_TIMEOUT=${HSOPS_PG_START_TIMEOUT:-60}              # seconds
CHROOT_BUILD_TIMEOUT=${HSOPS_CHROOT_BUILD_TIMEOUT:-1500}    # seconds, per debootstrap/apt call

# Layout of the state dir.
PG_DIR=$STACK_DIR/pg
SYN_DIR=$STACK_DIR/synapse
SPARE_DIR=$STACK_DIR/synapse-spare
SECRETS_DIR=$STACK_DIR/secrets
RUN_DIR=$STACK_DIR/run
ENV_FILE=$STACK_DIR/env
PORTS_FILE=$STACK_DIR/ports
HSOPS_CONFIG_FILE=$STACK_DIR/hsops.yaml

# ---- output ------------------------------------------------------------------------------
_STEP_OPEN=0
_STEP_T0=

now() { echo "${EPOCHREALTIME/,/.}"; }
# elapsed SECONDS_SINCE -> "4.2"
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

_close_line() { if [ "$_STEP_OPEN" = 1 ]; then echo; _STEP_OPEN=0; fi; }

# step N M "what" ... step_done: "step 3/7: starting Synapse ... 4.2 s"
step() {
  _close_line
  _STEP_T0=$(now)
  printf 'step %s/%s: %s ... ' "$1" "$2" "$3"
  _STEP_OPEN=1
}
step_done() {
  local extra=${1:-}
  if [ "$_STEP_OPEN" = 1 ]; then
    printf '%s s%s\n' "$(elapsed "$_STEP_T0")" "${extra:+ ($extra)}"
  else
    printf '  done, %s s%s\n' "$(elapsed "$_STEP_T0")" "${extra:+ ($extra)}"
  fi
  _STEP_OPEN=0
}
note() { _close_line; echo "  $*"; }
say() { _close_line; echo "$*"; }
warn() { _close_line; echo "$HARNESS_NAME: warning: $*" >&2; }

# die "one-line message that says what to do" [log file to show the tail of]
die() {
  _close_line
  echo "$HARNESS_NAME: error: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then
    echo "---- last lines of $2 ----" >&2
    tail -n "${HSOPS_LOG_TAIL:-25}" "$2" >&2
    echo "---- (full log: $2) ----" >&2
  fi
  exit 1
}

# Nothing may fail silently under set -e: name the command and line that failed.
on_err() {
  local rc=$? line=$1 cmd=$2
  _close_line
  echo "stack: error: unexpected failure (exit $rc) at ${BASH_SOURCE[1]:-$HARNESS_NAME}:$line: $cmd; run 'tests/harness/$HARNESS_NAME down' to clean up and report this" >&2
  exit "$rc"
}
trap 'on_err "$LINENO" "$BASH_COMMAND"' ERR

need_root() {
  [ "$(id -u)" = 0 ] || die "this needs root (chroot, bind mounts, running servers as other users); run it as root"
}

# ---- pid files -----------------------------------------------------------------------------
# run/<name>.pid holds the pid of a process this harness started (PostgreSQL's own
# postmaster.pid is read from its data dir instead).
# A zombie (exited, not yet reaped by its parent or a subreaper) counts as gone.
pid_alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ "$state" != Z ]
}
pidfile_pid() { if [ -f "$1" ]; then head -n1 "$1" | tr -dc '0-9'; fi; }

# stop_pid NAME PID [grace seconds]: TERM the process group (if PID leads one) and the
# process, wait, then KILL. Never looks processes up by name.
stop_pid() {
  local name=$1 pid=$2 grace=${3:-15} i
  pid_alive "$pid" || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$name (pid $pid) did not stop within ${grace} s; sending KILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  sleep 0.2
}

# ---- ports ---------------------------------------------------------------------------------
port_taken() {
  local p=$1
  listening_ports_cache | grep -qx "$p" && return 0
  # Also try to connect: catches listeners in other network views of /proc.
  (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && return 0
  return 1
}
_LISTENING=
listening_ports_cache() {
  if [ -z "$_LISTENING" ]; then _LISTENING=$(listening_ports_hex | sort -un); fi
  printf '%s\n' "$_LISTENING"
}
# Listening TCP ports (decimal), from /proc so no extra tool is needed (mawk has no
# strtonum, so printf converts the hex).
listening_ports_hex() {
  local hex
  for hex in $(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A" { split($2, a, ":"); print a[2] }'); do
    printf '%d\n' "0x$hex"
  done
}

# pick_port VAR_NAME ENV_OVERRIDE_NAME: an explicitly requested port that is taken is an
# error; otherwise the next free port from PORT_BASE upwards (skipping ones already picked).
_PICKED=" "
pick_port() {
  local var=$1 override_name=$2 p
  local override=${!override_name:-}
  if [ -n "$override" ]; then
    if port_taken "$override"; then
      die "port $override ($override_name) is already in use on 127.0.0.1; free it, or unset $override_name to let the harness pick a free port"
    fi
    p=$override
  else
    p=$PORT_BASE
    while port_taken "$p" || [[ "$_PICKED" == *" $p "* ]]; do
      p=$((p + 1))
      [ "$p" -lt $((PORT_BASE + 500)) ] || die "no free port in $PORT_BASE..$((PORT_BASE + 500)); set ${PORT_BASE_VAR:-HSOPS_STACK_PORT_BASE} to another range"
    done
  fi
  _PICKED="$_PICKED$p "
  printf -v "$var" '%s' "$p"
}

# wait_for DESCRIPTION TIMEOUT_S LOGFILE COMMAND...: poll COMMAND every 0.25 s.
wait_for() {
  local what=$1 timeout=$2 log=$3 t0
  shift 3
  t0=$(now)
  while ! "$@" >/dev/null 2>&1; do
    if awk -v a="$t0" -v b="$(now)" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
      die "$what did not come up within ${timeout} s; see its log" "$log"
    fi
    sleep "${WAIT_FOR_INTERVAL:-0.25}"
  done
}

# Writes a secret file (mode 0600, owner optional) without the secret touching argv.
write_secret() {
  local file=$1 owner=${2:-}
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$file" && echo >>"$file")
  chmod 0600 "$file"
  [ -z "$owner" ] || chown "$owner" "$file"
}
