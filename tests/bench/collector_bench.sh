#!/bin/sh
# Ingest benchmark: wrk against hsops-collector (reports stored in the stack's PostgreSQL)
# and, in the same run, against nginx answering a static 200 (the machine's HTTP ceiling).
# Usage: tests/bench/collector_bench.sh [BUILD_DIR] [SECONDS] [CONNECTIONS]
# Needs: the test stack up (HSOPS_PG_PRIMARY), wrk, nginx. Prints req/s, p99 and the ratio,
# and checks that every 2xx is a stored row.
set -eu
build=${1:-build}
seconds=${2:-10}
conns=${3:-32}
src=$(cd "$(dirname "$0")/../.." && pwd)
eval "$("$src/tests/harness/stack" env)"
work=$(mktemp -d /tmp/hsops-bench.XXXXXX)
db="hsops_collector_bench"
psql "$HSOPS_PG_PRIMARY" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
conninfo=$(printf '%s' "$HSOPS_PG_PRIMARY" | sed "s/dbname=[^ ]*/dbname=$db/")
openssl rand -hex 32 > "$work/secret"; chmod 600 "$work/secret"
cat > "$work/collector.yaml" <<YAML
listen: 127.0.0.1:0
database:
  conninfo: "$conninfo"
pseudonym_secret_file: secret
limits:
  rate_per_second: 1000000
  rate_burst: 1000000
threads: ${HSOPS_BENCH_THREADS:-4}
YAML
"$src/$build/cmd/hsops-collector/hsops-collector" --config "$work/collector.yaml" 2> "$work/collector.log" &
cpid=$!
port=""
for _ in $(seq 50); do
  port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$work/collector.log")
  [ -n "$port" ] && break; sleep 0.1
done
nport=$((port + 1))
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
nginx -c "$work/nginx.conf" -p "$work" &
npid=$!
sleep 0.5
cleanup() { kill "$cpid" "$npid" 2>/dev/null || true; wait "$cpid" "$npid" 2>/dev/null || true; }
trap cleanup EXIT
run() {  # url -> "req/s p99 non2xx"
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$src/tests/bench/collector_put.lua" "$1" > "$work/wrk.out"
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  total=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  bad=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out"); bad=${bad:-0}
  echo "$rps $p99 $total $bad"
}
set -- $(run "http://127.0.0.1:$nport/report-usage-stats/push"); n_rps=$1; n_p99=$2
set -- $(run "http://127.0.0.1:$port/report-usage-stats/push"); c_rps=$1; c_p99=$2; c_total=$3; c_bad=$4
stored=$(psql "$conninfo" -tAc "SELECT count(*) FROM reports")
echo "nginx static 200:  $n_rps req/s  p99 $n_p99"
echo "hsops-collector:   $c_rps req/s  p99 $c_p99  ($c_total requests, $c_bad non-2xx, $stored rows stored)"
echo "ratio collector/nginx: $(echo "$c_rps $n_rps" | awk '{printf "%.3f", $1/$2}')"
[ "$stored" -ge $((c_total - c_bad)) ] || { echo "FAIL: fewer rows than acknowledged reports"; exit 1; }
psql "$HSOPS_PG_PRIMARY" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
rm -rf "$work"
