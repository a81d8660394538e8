#!/bin/sh
# Builds the libFuzzer target for the report parser/validator with clang and runs it for a
# bounded time (default 60 s): tests/fuzz/run.sh [SECONDS] [BUILD_DIR]. Exit 0 = no crash.
set -eu
seconds=${1:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-/tmp/hsops-fuzz}
mkdir -p "$out/corpus"
# Seed: a Synapse body and a few near-misses.
printf '%s' '{"homeserver":"a.example","timestamp":1790000000,"total_users":3,"cache_factor":0.5,"server_context":null}' > "$out/corpus/synapse"
printf '%s' '{"homeserver":"a","timestamp":-1,"total_users":"3"}' > "$out/corpus/bad"
printf '%s' '{"homeserver":"a","timestamp":-1,"total_users":2,"timestamp":-0,"cache_factor":"x","cache_factor":1}' > "$out/corpus/repeated"
printf '%s' '{"homeserver":"\u00e9\ud83d\ude00","timestamp":-0,"total_users":18446744073709551615,"cache_factor":1e-320}' > "$out/corpus/edges"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -I"$src/lib" \
  "$src/tests/fuzz/report_fuzz.cpp" "$src/lib/stats/report.cpp" "$src/lib/stats/collector/ingest.cpp" \
  "$src/lib/stats/collector/aggregate.cpp" "$src/lib/stats/pseudonym.cpp" "$src/lib/stats/collector/rate_limit.cpp" \
  "$src/lib/output/prometheus_writer.cpp" "$src/lib/output/format.cpp" \
  -lcrypto -lsimdjson -o "$out/report_fuzz"
exec "$out/report_fuzz" -max_total_time="$seconds" -max_len=20000 -timeout=5 "$out/corpus"
