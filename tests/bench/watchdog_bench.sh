#!/usr/bin/env bash
# Benchmark (not a test; run by hand): hsops-watchdog (every check of the stack's config, 15 s
# interval) side by side with prometheus-node-exporter and prometheus-postgres-exporter
# (Debian), all three running at once against the same stack: resident memory, CPU seconds
# per hour (scraped every 15 s as Prometheus would), and /metrics latency p50/p99 over 1000
# back-to-back scrapes while the watchdog's checks run.
#   tests/harness/stack up
#   tests/bench/watchdog_bench.sh [BUILD_DIR] [CPU_SECONDS]   (default: build/, 600 s)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$SRC/build}
CPU_SECONDS=${2:-600}
SCRAPES=${HSOPS_BENCH_SCRAPES:-1000}
WATCHDOG=$BUILD/cmd/hsops-watchdog/hsops-watchdog
[ -x "$WATCHDOG" ] || { echo "no $WATCHDOG: build it first (cmake --build $BUILD --target hsops-watchdog)" >&2; exit 2; }
for p in prometheus-node-exporter prometheus-postgres-exporter curl; do
  command -v "$p" >/dev/null || { echo "$p is missing: apt-get install $p (scripts/packages.txt)" >&2; exit 2; }
done
eval "$("$SRC/tests/harness/stack" env)"
"$SRC/tests/harness/stack" status >/dev/null || { echo "the stack is not up: tests/harness/stack up" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hsops-bench-wd-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A loopback port nothing answers on (bash's /dev/tcp connect fails).
free_port() { local p; while :; do p=$((20000 + RANDOM % 20000)); (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }; done; }
WD_PORT=$(free_port); NODE_PORT=$(free_port); PGX_PORT=$(free_port)

# The stack's own config (every check it has), its state in $WORK, every check each 15 s;
# but the clock check off: its default NTP pool is not on this machine.
sed -e "s|^state_dir:.*|state_dir: $WORK/state|" -e 's|^  clock:$|  clock:\n    enabled: false|' "$HSOPS_CONFIG" >"$WORK/hsops.yaml"
cat >>"$WORK/hsops.yaml" <<YAML
watchdog:
  listen: 127.0.0.1:$WD_PORT
  state_file: $WORK/watchdog-state.json
  interval: 15s
  checks:
    disk: {interval: 15s}
YAML

"$WATCHDOG" --config "$WORK/hsops.yaml" 2>"$WORK/watchdog.log" & PIDS+=($!); WD_PID=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:$NODE_PORT --log.level=warn 2>"$WORK/node.log" & PIDS+=($!); NODE_PID=$!
# postgres-exporter wants a URL; the stack's monitoring role and its passfile, on the primary.
PGPASS_FILE=$(sed -n 's/.*passfile=\([^ ]*\).*/\1/p' <<<"$HSOPS_PG_MONITOR")
PGPASSFILE=$PGPASS_FILE \
DATA_SOURCE_NAME="postgresql://hsops@127.0.0.1:$HSOPS_PG_PRIMARY_PORT/postgres?sslmode=disable" \
  prometheus-postgres-exporter --web.listen-address=127.0.0.1:$PGX_PORT --log.level=warn 2>"$WORK/pgx.log" & PIDS+=($!); PGX_PID=$!

wait_up() { for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$1/metrics" && return 0; sleep 0.2; done; echo "port $1 never answered" >&2; exit 1; }
wait_up $WD_PORT; wait_up $NODE_PORT; wait_up $PGX_PORT
grep -q '^pg_up 1' <(curl -s "http://127.0.0.1:$PGX_PORT/metrics") || { echo "postgres-exporter cannot reach PostgreSQL: $(tail -3 "$WORK/pgx.log")" >&2; exit 1; }
echo "warming up 30 s (every watchdog check runs at least once)"; sleep 30

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, in clock ticks
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
HZ=$(getconf CLK_TCK)

# Latency: SCRAPES back-to-back scrapes of each, while the watchdog's checks run.
latency() {  # port -> "p50 p99 series" in ms
  local port=$1 f=$WORK/lat-$1
  for _ in $(seq "$SCRAPES"); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics"; done >"$f"
  local series; series=$(curl -s "http://127.0.0.1:$port/metrics" | grep -vc '^#')
  sort -n "$f" | awk -v n="$SCRAPES" -v s="$series" '{v[NR]=$1*1000} END {printf "%.2f %.2f %d", v[int(n*0.5)], v[int(n*0.99)], s}'
}
read -r WD_P50 WD_P99 WD_SERIES <<<"$(latency $WD_PORT)"
read -r NODE_P50 NODE_P99 NODE_SERIES <<<"$(latency $NODE_PORT)"
read -r PGX_P50 PGX_P99 PGX_SERIES <<<"$(latency $PGX_PORT)"

# CPU: CPU_SECONDS of normal life, each scraped every 15 s.
W0=$(ticks $WD_PID); N0=$(ticks $NODE_PID); P0=$(ticks $PGX_PID)
END=$((SECONDS + CPU_SECONDS))
while [ $SECONDS -lt $END ]; do
  for port in $WD_PORT $NODE_PORT $PGX_PORT; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; done
  sleep 15
done
per_hour() { awk -v d="$1" -v hz="$HZ" -v s="$CPU_SECONDS" 'BEGIN {printf "%.1f", d / hz * 3600 / s}'; }
WD_CPU=$(per_hour $(( $(ticks $WD_PID) - W0 ))); NODE_CPU=$(per_hour $(( $(ticks $NODE_PID) - N0 ))); PGX_CPU=$(per_hour $(( $(ticks $PGX_PID) - P0 )))
WD_RUNS=$(curl -s "http://127.0.0.1:$WD_PORT/metrics" | grep -c '^hsops_check_status{')

echo
echo "$(date -u +%F) at $(git -C "$SRC" rev-parse --short HEAD), $(nproc) CPUs; $SCRAPES scrapes each, CPU over $CPU_SECONDS s; watchdog runs $WD_RUNS checks every 15 s"
echo
echo "| | RSS now (MiB) | RSS peak (MiB) | CPU s/hour | /metrics p50 (ms) | p99 (ms) | series |"
echo "|---|---|---|---|---|---|---|"
row() { awk -v n="$1" -v r="$(rss_kib "$2")" -v h="$(hwm_kib "$2")" -v c="$3" -v a="$4" -v b="$5" -v s="$6" \
  'BEGIN {printf "| %s | %.1f | %.1f | %s | %s | %s | %s |\n", n, r/1024, h/1024, c, a, b, s}'; }
row hsops-watchdog $WD_PID "$WD_CPU" "$WD_P50" "$WD_P99" "$WD_SERIES"
row prometheus-node-exporter $NODE_PID "$NODE_CPU" "$NODE_P50" "$NODE_P99" "$NODE_SERIES"
row prometheus-postgres-exporter $PGX_PID "$PGX_CPU" "$PGX_P50" "$PGX_P99" "$PGX_SERIES"
