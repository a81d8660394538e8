#!/usr/bin/env bash
# Benchmark (not a test; run by hand): how long `hsops check wal` and `hsops check replication`
# take against the test stack, median of N runs each (default 20), and the SQL each one issues.
#   tests/harness/stack up
#   tests/bench/wal_replication.sh [BUILD_DIR] [RUNS]
# Figures: the check's own duration_seconds from the JSON output (connect, queries, statvfs,
# state file; what the watchdog pays per run) and the wall time of the whole process (what a
# Nagios/cron run pays). The statements are read from the primary's log, with log_statement
# turned on for the monitoring role only for one run of each check, then reset.
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$SRC/build}
RUNS=${2:-20}
HSOPS=$BUILD/cmd/hsops/hsops
[ -x "$HSOPS" ] || { echo "no $HSOPS: build it first (cmake --build $BUILD --target hsops)" >&2; exit 2; }
eval "$("$SRC/tests/harness/stack" env)"
"$SRC/tests/harness/stack" status >/dev/null || { echo "the stack is not up: tests/harness/stack up" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hsops-bench-XXXXXX)
PSQL="$HSOPS_PG_BIN/psql -X -q -At -h $HSOPS_PG_SOCKET_DIR -p $HSOPS_PG_PRIMARY_PORT -U postgres -d postgres"
cleanup() {
  $PSQL -c "ALTER ROLE hsops RESET log_statement" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/hsops.yaml" <<YAML
state_dir: $WORK/state
checks:
  replication:
    conninfo: "$HSOPS_PG_MONITOR"
    standbys:
      - name: $HSOPS_PG_SLOT
        conninfo: "$HSOPS_PG_MONITOR_STANDBY"
  wal:
    conninfo: "$HSOPS_PG_MONITOR"
YAML

echo "hsops: $HSOPS ($(grep -m1 CMAKE_BUILD_TYPE "$BUILD/CMakeCache.txt" 2>/dev/null || echo 'build type unknown'))"
echo "host: $(nproc) CPUs, $(uname -r); PostgreSQL $($PSQL -c 'SHOW server_version')"
for check in wal replication; do
  "$HSOPS" check "$check" --config "$WORK/hsops.yaml" >/dev/null || true   # warm-up, first sample
  : >"$WORK/$check.times"
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    "$HSOPS" check "$check" --format json --config "$WORK/hsops.yaml" >"$WORK/out.json" || true
    t1=$(date +%s%N)
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["checks"][0]; print(c["status"], c["duration_seconds"], (int(sys.argv[2])-int(sys.argv[3]))/1e9)' \
      "$WORK/out.json" "$t1" "$t0" >>"$WORK/$check.times"
  done
  python3 - "$check" "$WORK/$check.times" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[2])]
check = [float(r[1]) * 1000 for r in rows]
wall = [float(r[2]) * 1000 for r in rows]
status = sorted(set(r[0] for r in rows))
print(f"{sys.argv[1]}: {len(rows)} runs, status {','.join(status)}; check median {statistics.median(check):.1f} ms "
      f"(min {min(check):.1f}, max {max(check):.1f}); process wall median {statistics.median(wall):.1f} ms")
PY
done

echo "statements issued (primary log, log_statement=all for role hsops during one run of each):"
LOG=$HSOPS_STACK_DIR/pg/log/primary.log
before=$(wc -l <"$LOG")
$PSQL -c "ALTER ROLE hsops SET log_statement = 'all'" >/dev/null
for check in wal replication; do
  "$HSOPS" check "$check" --config "$WORK/hsops.yaml" >/dev/null || true
done
sleep 0.5
$PSQL -c "ALTER ROLE hsops RESET log_statement" >/dev/null
tail -n +"$((before + 1))" "$LOG" | grep -E 'hsops@postgres LOG:  (statement|execute [^:]*):' | sed -E 's/.*(statement|execute [^:]*): /  /'
echo "(the replication check also runs its role query and the receiver query on the standby, $HSOPS_PG_MONITOR_STANDBY)"
