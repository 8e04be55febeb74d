#!/usr/bin/env bash
# Runs the micro-benchmarks (build/bench/micro_bench) with repetitions and
# writes their medians as the "Micro-benchmarks" section of bench/RESULTS.md
# (its own marked section: bench/run_load.sh and the other scripts keep it).
#
# usage: bench/micro/run.sh [OUT_DIR]   (the raw JSON goes there; default: a new temp dir)
# Environment (defaults):
#   REPETITIONS=5   medians over this many repetitions of each benchmark
#   MIN_TIME=0.5    seconds per repetition (Google Benchmark's --benchmark_min_time)
#   FILTER=.        --benchmark_filter (e.g. '-/100000' skips the 100,000-instance registry)
#   RESULTS_FILE=bench/RESULTS.md ("-" writes nothing)   SKIP_BUILD=0   BUILD_DIR=build
# Takes 3-5 min with the defaults on 2 shared cores (most of it the 100,000-instance documents).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
REPETITIONS="${REPETITIONS:-5}"
MIN_TIME="${MIN_TIME:-0.5}"
FILTER="${FILTER:-.}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
RESULTS_FILE="${RESULTS_FILE:-$ROOT/bench/RESULTS.md}"
SKIP_BUILD="${SKIP_BUILD:-0}"
OUT="${1:-$(mktemp -d "${TMPDIR:-/tmp}/logbook-micro.XXXXXX")}"
mkdir -p "$OUT"
COMMAND="bench/micro/run.sh"
for v in REPETITIONS MIN_TIME FILTER; do
  [ -n "$(printenv "$v")" ] && COMMAND="$v=$(printenv "$v") $COMMAND"
done
# shellcheck source=../results_section.sh
source "$ROOT/bench/results_section.sh"

if [ "$SKIP_BUILD" != 1 ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target micro_bench >/dev/null
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$(date +%s)
"$BUILD_DIR/bench/micro_bench" --benchmark_filter="$FILTER" --benchmark_min_time="$MIN_TIME" \
  --benchmark_repetitions="$REPETITIONS" --benchmark_report_aggregates_only=true \
  --benchmark_out="$OUT/micro.json" --benchmark_out_format=json | tee "$OUT/micro.txt"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
elapsed=$(( $(date +%s) - started ))

DIRTY=$(git -C "$ROOT" status --porcelain -- . ':!bench/RESULTS.md' ':!bench/*.png' 2>/dev/null | grep -q . && echo "+uncommitted" || true)
{
  echo "## Micro-benchmarks (bench/micro)"
  echo "<!-- micro-bench:begin (written by bench/micro/run.sh; rerun it) -->"
  echo
  echo "Google Benchmark, one thread, in process: the node's handler, write pipeline and registry"
  echo "behind an in-memory journal that encodes every event with the log's codec (no socket, no"
  echo "RocksDB, no fsync; \`bench/micro/in_process_node.h\`). Registries of 10,000 and 100,000"
  echo "instances of \`bench/bench_instances.h\` (the body seed_instances registers), 50 per app."
  echo "Each figure is the **median over $REPETITIONS repetitions** (cv = their coefficient of variation);"
  echo "CPU time is the thread's, wall time includes waiting for a core on this shared machine."
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$ROOT" rev-parse --short HEAD)$DIRTY; run time ${elapsed} s"
  echo "- Machine: $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo | awk '{print $1, $2}'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r);"
  echo "  load average at the start: $load_before, at the end: $load_after"
  echo "- Command: \`$COMMAND\` (raw: \`micro_bench --benchmark_repetitions=$REPETITIONS --benchmark_report_aggregates_only=true --benchmark_min_time=$MIN_TIME\`)"
  echo
  python3 "$ROOT/bench/micro/json_to_markdown.py" "$OUT/micro.json"
  echo
  echo "What each measures: \`bench/micro/README.md\`."
  echo "<!-- micro-bench:end -->"
} > "$OUT/section.md"

if [ "$RESULTS_FILE" != - ]; then
  write_marked_section "$RESULTS_FILE" micro-bench "$OUT/section.md"
else
  cat "$OUT/section.md"
fi
