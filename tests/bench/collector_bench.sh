#!/bin/sh
# Ingest benchmark: wrk against hsops-collector and, in the same run, against nginx answering a
# static 200 (the machine's HTTP ceiling). The collector stores into its own PostgreSQL 15
# started here with Debian's defaults (fsync=on, synchronous_commit=on, no replica), so an
# acknowledged report is durably committed, as in production.
# Usage: tests/bench/collector_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
# Env: HSOPS_BENCH_THREADS (collector HTTP threads, default 2). Needs root, wrk, nginx,
# postgresql-15. Prints req/s, p99, the ratio, and checks that every 2xx is a stored row.
set -eu
build=${1:-build}
seconds=${2:-10}
conns=${3:-64}
src=$(cd "$(dirname "$0")/../.." && pwd)
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/hsops-bench.XXXXXX)
chmod 755 "$work"
mkdir "$work/pg" "$work/sock"
chown postgres "$work/pg" "$work/sock"
cleanup() {
  [ -n "${cpid:-}" ] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
  [ -n "${npid:-}" ] && kill "$npid" 2>/dev/null && wait "$npid" 2>/dev/null
  [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
su postgres -s /bin/sh -c "$pgbin/initdb -D $work/pg -U postgres -A trust --no-sync" >/dev/null
# A free port for PostgreSQL (it only listens on the socket dir and loopback).
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
su postgres -s /bin/sh -c "$pgbin/pg_ctl -D $work/pg -w -t 30 -l $work/pg/server.log \
  -o '-p $pgport -k $work/sock -c listen_addresses=127.0.0.1' start" >/dev/null
conninfo="host=$work/sock port=$pgport user=postgres dbname=postgres"
echo "postgresql: fsync=$(psql "$conninfo" -tAc 'show fsync'), synchronous_commit=$(psql "$conninfo" -tAc 'show synchronous_commit')"

openssl rand -hex 32 > "$work/secret"; chmod 600 "$work/secret"
cat > "$work/collector.yaml" <<YAML
listen: 127.0.0.1:0
database:
  conninfo: "$conninfo"
pseudonym_secret_file: secret
limits:
  rate_per_second: 1000000
  rate_burst: 1000000
threads: ${HSOPS_BENCH_THREADS:-2}
YAML
# Prints the port a server logged ("listening on ADDR:PORT") within 5 s, or shows the log and fails.
listening_port() {  # logfile
  for _ in $(seq 50); do
    p=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$1")
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.1
  done
  cat "$1" >&2; return 1
}
"$src/$build/cmd/hsops-collector/hsops-collector" --config "$work/collector.yaml" 2> "$work/collector.log" >/dev/null &
cpid=$!
port=$(listening_port "$work/collector.log")
# The same HTTP + validation path with a store that acknowledges without writing: the part of
# the cost that is not the database.
"$src/$build/tests/hsops-bench-collector-nostore" "${HSOPS_BENCH_THREADS:-2}" 2> "$work/nostore.log" >/dev/null &
spid=$!
sport=$(listening_port "$work/nostore.log")
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work;
  server { listen 127.0.0.1:$nport; location / { return 200 '{}'; } }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" >/dev/null 2>&1 &
npid=$!
sleep 0.5
# CPU seconds (user+system) of a process and its children still running: where the time goes.
cpu_of() {  # pid...
  for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null; done |
    awk -v hz="$(getconf CLK_TCK)" '{sub(/^.*\) /, ""); t += $12 + $13} END {printf "%.2f", t / hz}'
}
pg_pids() { pm=$(head -1 "$work/pg/postmaster.pid"); echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"; }
# CPU seconds this shell's finished children used (wrk's share of the 2 cores); `times` runs in
# this shell, not in a $(...) subshell, whose children would be others.
children_cpu() { times > "$work/times"; awk 'NR == 2 {gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4}' "$work/times"; }
run() {  # url -> "req/s p99 requests non2xx wrk_cpu_seconds"
  children_cpu > "$work/w0"
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$src/tests/bench/collector_put.lua" "$1" > "$work/wrk.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  bad=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out"); bad=${bad:-0}
  children_cpu > "$work/w1"
  echo "$rps $p99 $total $bad $(cat "$work/w1" "$work/w0" | awk 'NR == 1 {a = $1} NR == 2 {printf "%.2f", a - $1}')"
}
ng_pids() { echo "$npid $(pgrep -P "$npid" | tr '\n' ' ')"; }
n_cpu0=$(cpu_of $(ng_pids))
set -- $(run "http://127.0.0.1:$nport/report-usage-stats/push"); n_rps=$1; n_p99=$2; n_total=$3; n_wrk=$5
n_cpu=$(echo "$(cpu_of $(ng_pids)) $n_cpu0" | awk '{printf "%.2f", $1 - $2}')
s_cpu0=$(cpu_of "$spid")
set -- $(run "http://127.0.0.1:$sport/report-usage-stats/push"); s_rps=$1; s_p99=$2; s_total=$3
s_cpu=$(echo "$(cpu_of "$spid") $s_cpu0" | awk '{printf "%.2f", $1 - $2}')
commits() { psql "$conninfo" -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'"; }
c_cpu0=$(cpu_of "$cpid"); pg_cpu0=$(cpu_of $(pg_pids)); commits0=$(commits)
set -- $(run "http://127.0.0.1:$port/report-usage-stats/push"); c_rps=$1; c_p99=$2; c_total=$3; c_bad=$4; c_wrk=$5
c_cpu=$(echo "$(cpu_of "$cpid") $c_cpu0" | awk '{printf "%.2f", $1 - $2}')
pg_cpu=$(echo "$(cpu_of $(pg_pids)) $pg_cpu0" | awk '{printf "%.2f", $1 - $2}')
sleep 0.6  # the statistics collector reports every 500 ms
commits1=$(commits)
stored=$(psql "$conninfo" -tAc "SELECT count(*) FROM reports")
echo "nginx static 200:  $n_rps req/s  p99 $n_p99  ($(echo "$n_cpu $n_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us CPU/request)"
echo "no store (bench):  $s_rps req/s  p99 $s_p99  ($(echo "$s_cpu $s_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us CPU/report; ratio $(echo "$s_rps $n_rps" | awk '{printf "%.3f", $1/$2}'))"
echo "hsops-collector:   $c_rps req/s  p99 $c_p99  ($c_total requests, $c_bad non-2xx, $stored rows stored)"
echo "cpu during the collector run: collector ${c_cpu} s ($(echo "$c_cpu $c_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us/report), postgres ${pg_cpu} s ($(echo "$pg_cpu $c_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us/report)"
echo "transactions committed during the collector run: $((commits1 - commits0)) ($(echo "$c_total $commits1 $commits0" | awk '{printf "%.1f", $1 / ($2 - $3)}') reports per commit)"
echo "wrk CPU per request: $(echo "$n_wrk $n_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us against nginx, $(echo "$c_wrk $c_total" | awk '{printf "%.1f", $1 * 1e6 / $2}') us against the collector"
echo "ratio collector/nginx: $(echo "$c_rps $n_rps" | awk '{printf "%.3f", $1/$2}')"
[ "$stored" -ge $((c_total - c_bad)) ] || { echo "FAIL: fewer rows than acknowledged reports"; exit 1; }
