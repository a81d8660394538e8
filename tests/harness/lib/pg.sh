# shellcheck shell=bash
# PostgreSQL 15: a primary and a streaming hot standby (physical slot, pg_basebackup -R),
# run as a non-root OS user, listening on 127.0.0.1 and a private socket dir.

PG_SOCK=$PG_DIR/sock
PG_SLOT=hsops_standby
PG_CHECKPOINT_TIMEOUT=30

pg_ensure_os_user() {
  [ -x "$PG_BIN/postgres" ] ||
    die "PostgreSQL 15 is not installed ($PG_BIN/postgres missing); run: apt-get install postgresql-15 postgresql-client-15"
  if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER" ||
      die "could not create the OS user $PG_OS_USER for PostgreSQL; create it, or set HSOPS_PG_OS_USER to an existing non-root user"
  fi
  [ "$(id -u "$PG_OS_USER")" != 0 ] || die "HSOPS_PG_OS_USER must not be root (initdb refuses to run as root)"
}

as_pg() { runuser -u "$PG_OS_USER" -- "$@"; }

# psql as the superuser over the private socket; SQL on stdin (so secrets never hit argv).
pg_psql() {
  local port=$1
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$port" -U postgres "$@"
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$1" -U postgres -d postgres; }

# pg_start NAME PORT: start a cluster from its data dir; on failure show its log.
pg_start() {
  local name=$1 port=$2
  local data=$PG_DIR/$name log=$PG_DIR/log/$name.log
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t "$PG_START_TIMEOUT" start >/dev/null 2>&1 9>&-; then
    die "PostgreSQL $name did not start on 127.0.0.1:$port; see its log, then run: tests/harness/stack down" "$log"
  fi
}

# Stops a cluster by its data dir (pg_ctl), falling back to the pid in postmaster.pid.
pg_stop() {
  local name=$1 data=$PG_DIR/$1 pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid=$(pidfile_pid "$data/postmaster.pid")
  if pid_alive "$pid"; then
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t "$PG_CHECKPOINT_TIMEOUT" stop >/dev/null 2>&1 ||
      stop_pid "PostgreSQL $name" "$pid" 10
  fi
  rm -f "$data/postmaster.pid"
}

pg_pid() { pidfile_pid "$PG_DIR/$1/postmaster.pid"; }
pg_running() { local pid; pid=$(pg_pid "$1"); pid_alive "$pid"; }

pg_init_primary() {
  local port=$1
  install -d -m 0755 "$PG_DIR"
  install -d -m 0700 -o "$PG_OS_USER" "$PG_SOCK"
  install -d -m 0755 -o "$PG_OS_USER" "$PG_DIR/log"
  install -d -m 0700 -o "$PG_OS_USER" "$PG_DIR/primary"
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/primary" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C --data-checksums --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
    die "initdb failed for the primary" "$PG_DIR/initdb.log"
  # Shared settings; the port is per node on the pg_ctl command line (-o "-p PORT") because
  # pg_basebackup (and later pg_rewind) copy postgresql.conf verbatim.
  cat >>"$PG_DIR/primary/postgresql.conf" <<EOF

# ---- hsops test stack (tests/harness/lib/pg.sh) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCK'
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
wal_keep_size = 0
max_wal_size = 256MB
fsync = off                # test stack only: faster, data is thrown away on down
synchronous_commit = on
full_page_writes = on
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = off
EOF
  cat >"$PG_DIR/primary/pg_hba.conf" <<EOF
# hsops test stack: the superuser over the private socket (mode 0700) only; everyone else
# with a password (SCRAM) over loopback TCP or the socket.
local   all             postgres                        trust
local   replication     postgres                        trust
local   all             all                             scram-sha-256
host    all             all             127.0.0.1/32    scram-sha-256
host    replication     all             127.0.0.1/32    scram-sha-256
EOF
  chown "$PG_OS_USER" "$PG_DIR/primary/pg_hba.conf"
}

# Roles and database; passwords go through psql's stdin, never argv.
pg_create_roles() {
  local port=$1 hsops_pw synapse_pw
  hsops_pw=$(head -n1 "$SECRETS_DIR/pg-hsops.password")
  synapse_pw=$(head -n1 "$SECRETS_DIR/pg-synapse.password")
  pg_psql "$port" -d postgres >"$PG_DIR/roles.log" 2>&1 <<EOF || die "creating roles and the synapse database failed" "$PG_DIR/roles.log"
\\set hsops_pw '$hsops_pw'
\\set synapse_pw '$synapse_pw'
-- hsops monitors with pg_monitor only. Failover (hsops failover) will additionally need:
-- pg_checkpoint (CHECKPOINT), EXECUTE on pg_promote(boolean, integer), and for the rejoin
-- path REPLICATION (or a superuser) -- see docs/testing.md.
CREATE ROLE hsops LOGIN PASSWORD :'hsops_pw' IN ROLE pg_monitor;
CREATE ROLE synapse LOGIN PASSWORD :'synapse_pw';
CREATE DATABASE synapse OWNER synapse ENCODING 'UTF8' LC_COLLATE='C' LC_CTYPE='C' TEMPLATE template0;
EOF
}

pg_make_standby() {
  local primary_port=$1
  install -d -m 0700 -o "$PG_OS_USER" "$PG_DIR/standby"
  as_pg "$PG_BIN/pg_basebackup" -h "$PG_SOCK" -p "$primary_port" -U postgres -D "$PG_DIR/standby" \
    -R -X stream -C -S "$PG_SLOT" -c fast --no-sync >"$PG_DIR/basebackup.log" 2>&1 ||
    die "pg_basebackup from the primary failed" "$PG_DIR/basebackup.log"
}

pg_wait_streaming() {
  local primary_port=$1
  wait_for "streaming replication to the standby" 30 "$PG_DIR/log/standby.log" \
    bash -c "[ \"\$('$PG_BIN/psql' -X -At -h '$PG_SOCK' -p '$primary_port' -U postgres -d postgres \
      -c \"SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'\")\" -ge 1 ]"
}

# pgpass lines for both nodes: host:port:db:user:password (libpq's passfile format).
pg_write_passfile() {
  local file=$1 user=$2 pwfile=$3 owner=${4:-} pw
  pw=$(head -n1 "$pwfile")
  (umask 077 && printf '127.0.0.1:%s:*:%s:%s\n127.0.0.1:%s:*:%s:%s\n' \
    "$PG_PRIMARY_PORT" "$user" "$pw" "$PG_STANDBY_PORT" "$user" "$pw" >"$file")
  chmod 0600 "$file"
  [ -z "$owner" ] || chown "$owner" "$file"
}
