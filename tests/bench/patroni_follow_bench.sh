#!/usr/bin/env bash
# Benchmark (not a test; run by hand): N unplanned failovers on the Patroni profile, each the
# follow test case (tests/integration/patroni/follow_patroni_test.cpp): kill -9 of the leader's
# Patroni and PostgreSQL while `hsops failover follow` runs and a writer sends a message every
# 100 ms through the public route; the killed node is restarted and rejoins before the next.
# Prints each run's RTO from the kill to the first good probe through haproxy, split into
# Patroni's part (kill to the new leader's log line "promoted self to leader by acquiring
# session lock": lock expiry and election) and hsops's part (from there: the promotion's end,
# the follower's detection, stop, verify, start the spare, route, probe); then
# the median and worst of each, against the target (hsops's part under 5 s) and the bound
# (total under ttl + 5 s).
#   tests/harness/patroni up
#   tests/bench/patroni_follow_bench.sh [BUILD_DIR] [RUNS]   (default: build/, 5)
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-$SRC/build}
RUNS=${2:-5}
TEST=$BUILD/tests/hsops_patroni_follow_patroni
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 2; }
[ -x "$TEST" ] || { echo "no $TEST: build it first (cmake --build $BUILD --target hsops_patroni_follow_patroni hsops)" >&2; exit 2; }
eval "$("$SRC/tests/harness/patroni" env)"
"$SRC/tests/harness/patroni" status >/dev/null || { echo "the Patroni profile is not up: tests/harness/patroni up" >&2; exit 2; }

WORK=$(mktemp -d /tmp/hsops-bench-follow-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
CASE="follow: kill -9 of the leader moves Synapse after Patroni with no acknowledged message lost"
passed=0
for i in $(seq 1 "$RUNS"); do
  if timeout 600 "$TEST" "$CASE" >"$WORK/out-$i.txt" 2>&1; then passed=$((passed + 1)); result=pass; else result=FAIL; fi
  line=$(sed -n 's/^follow bench: //p' "$WORK/out-$i.txt")
  writer=$(sed -n 's/^follow writer: //p' "$WORK/out-$i.txt")
  echo "$line" >>"$WORK/figures"
  # The run's report: the newest follow report in the playbook's state_dir.
  for r in $(ls -t "$HSOPS_PATRONI_DIR"/failover/reports/*.json 2>/dev/null); do
    if jq -e '.operation == "follow"' "$r" >/dev/null; then cp "$r" "$WORK/follow-$i.json"; break; fi
  done
  echo "run $i: $result, ${line:-no figures}; writer: ${writer:-?}"
  [ "$result" = pass ] || tail -40 "$WORK/out-$i.txt"
done

echo
echo "$passed of $RUNS runs passed"
# Median and worst of each part (median of an even count: the mean of the two middle ones).
awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  {
    for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1], NR] = kv[2] }
    n = NR
  }
  END {
    if (n == 0) { print "no figures"; exit 1 }
    split("total patroni hsops detect", names, " ")
    for (k = 1; k <= 4; k++) {
      worst = 0
      for (r = 1; r <= n; r++) { a[r] = v[names[k], r]; if (a[r] > worst) worst = a[r] }
      printf "%-8s median %.2f s, worst %.2f s\n", names[k], median(a, n), worst
      if (names[k] == "hsops") hsops_worst = worst
      if (names[k] == "total") total_worst = worst
    }
    ttl = v["ttl", 1]
    printf "target hsops part < 5 s: %s (worst %.2f s); bound total < ttl %d s + 5 s: %s (worst %.2f s)\n",
      hsops_worst < 5 ? "met" : "MISSED", hsops_worst, ttl, total_worst < ttl + 5 ? "met" : "MISSED", total_worst
  }' "$WORK/figures"
echo "hsops's steps (median / worst, s):"
jq -s -r '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def f: . * 100 | round / 100 | tostring;
  [.[].steps[]] | group_by(.step)[] |
    "  " + (.[0].step | tostring) + " " + .[0].type + ": " + ([.[].seconds] | (median | f) + " / " + (max | f))
' "$WORK"/follow-*.json
