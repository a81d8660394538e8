#!/usr/bin/env bash
# Benchmark (not a test; run by hand): N drills (`hsops failover drill` there and back) on the
# test stack, each run by the stack drill test case, so each has its writer sending a message
# every 100 ms through haproxy and the zero-acknowledged-loss check. Prints every drill's RTO
# there and back, acknowledged/refused/lost messages, the median and worst RTO, and the median
# and worst time of each step (from the drills' JSON reports).
#   tests/harness/stack up
#   tests/bench/failover_drill_bench.sh [BUILD_DIR] [DRILLS]   (default: build/, 5)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$SRC/build}
DRILLS=${2:-5}
TEST=$BUILD/tests/hsops_stack_failover_drill
[ -x "$TEST" ] || { echo "no $TEST: build it first (cmake --build $BUILD --target hsops_stack_failover_drill)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 2; }
eval "$("$SRC/tests/harness/stack" env)"
"$SRC/tests/harness/stack" status >/dev/null || { echo "the stack is not up: tests/harness/stack up" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hsops-bench-drill-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CASE="failover drill on the stack: there and back through haproxy with no acknowledged message lost"
passed=0
for i in $(seq 1 "$DRILLS"); do
  if timeout 600 "$TEST" "$CASE" >"$WORK/out-$i.txt" 2>&1; then passed=$((passed + 1)); result=pass; else result=FAIL; fi
  cp "$HSOPS_STACK_DIR/failover/last-drill.json" "$WORK/drill-$i.json"
  writer=$(sed -n 's/^drill writer: //p' "$WORK/out-$i.txt")
  printf 'drill %d: %s, RTO there %.2f s, back %.2f s, whole drill %.1f s; writer: %s\n' "$i" "$result" \
    "$(jq '.rto_seconds // -1' "$WORK/drill-$i.json")" "$(jq '.rto_back_seconds // -1' "$WORK/drill-$i.json")" \
    "$(jq '.seconds' "$WORK/drill-$i.json")" "${writer:-?}"
  [ "$result" = pass ] || tail -40 "$WORK/out-$i.txt"
done

echo
echo "$passed of $DRILLS drills passed"
# Median and worst over all drills (median of an even count: the mean of the two middle ones).
jq -s -r '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def f: . * 100 | round / 100 | tostring;
  ([.[].rto_seconds] | "RTO there: median " + (median | f) + " s, worst " + (max | f) + " s"),
  ([.[].rto_back_seconds] | "RTO back:  median " + (median | f) + " s, worst " + (max | f) + " s"),
  "per step (median / worst, s):",
  ([.[].steps[]] | group_by(.step)[] |
     "  " + (.[0].step | tostring) + " " + .[0].type + " " + .[0].node + ": " +
     ([.[].seconds] | (median | f) + " / " + (max | f)))
' "$WORK"/drill-*.json
