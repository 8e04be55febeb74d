#!/usr/bin/env bash
# The whole benchmark suite, one command: builds Release once, then runs, in this order (cheap
# and self-contained first, the long data-dir builds last), each writing its own section of
# bench/RESULTS.md:
#   1. bench/micro/run.sh          micro-benchmarks (Google Benchmark, medians of repetitions)
#   2. bench/scaling.sh            full-fetch latency and RSS at 1k/10k/100k (+ bench/scaling.png)
#   3. bench/run_load.sh           wrk load next to the anchors (rewrites the top of the file,
#                                  keeps every section below its marker)
#   4. bench/hostile_traffic.sh    a well-behaved client while the node is attacked
#   5. bench/snapshot_stall.sh     event-loop stall during snapshots of 100k instances
#   6. bench/restart_scale.sh      restart to ready with 100k instances and 1M events
#   7. bench/replication/run.sh    replication latency, catch-up and convergence (its output
#                                  becomes the "Replication, this run" section)
# A step that fails is reported and the others still run; the exit code is 1 if any failed.
#
# usage: bench/run_all.sh [OUT_DIR]     (every step's raw output under it; default: a new temp dir)
# Environment:
#   QUICK=1      tiny settings (~3 min) to check the suite end to end: figures are not worth
#                keeping, so RESULTS_FILE then defaults to OUT_DIR/RESULTS.md, a copy of
#                bench/RESULTS.md (the PNG goes there too)
#   RESULTS_FILE=bench/RESULTS.md   STEPS="micro scaling load hostile stall restart replication"
#   BUILD_DIR=build
# Bounded: ~25 min with the defaults on 2 shared cores (each step bounds its own processes).
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
QUICK="${QUICK:-0}"
STEPS="${STEPS:-micro scaling load hostile stall restart replication}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
OUT="${1:-$(mktemp -d "${TMPDIR:-/tmp}/logbook-bench-all.XXXXXX")}"
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
if [ "$QUICK" = 1 ]; then
  RESULTS_FILE="${RESULTS_FILE:-$OUT/RESULTS.md}"
  [ -f "$RESULTS_FILE" ] || cp bench/RESULTS.md "$RESULTS_FILE"
else
  RESULTS_FILE="${RESULTS_FILE:-$ROOT/bench/RESULTS.md}"
fi
RESULTS_FILE="$(cd "$(dirname "$RESULTS_FILE")" && pwd -P)/$(basename "$RESULTS_FILE")"
export RESULTS_FILE BUILD_DIR
# shellcheck source=results_section.sh
source "$ROOT/bench/results_section.sh"
echo "output: $OUT   results: $RESULTS_FILE   steps: $STEPS$([ "$QUICK" = 1 ] && echo ' (QUICK)')"

echo "== building Release in $BUILD_DIR"
{ cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON &&
  cmake --build "$BUILD_DIR" -j2 --target logbook seed_instances make_datadir hostile_traffic \
    replication_latency micro_bench; } > "$OUT/build.log" 2>&1 ||
  { echo "build failed, see $OUT/build.log" >&2; exit 1; }
export SKIP_BUILD=1

FAILED=()
SUMMARY=()
# step NAME COMMAND...: runs it with its output in OUT/NAME.log, timed.
step() {
  local name="$1" started=$SECONDS rc; shift
  [[ " $STEPS " == *" $name "* ]] || return 0
  echo "== $name: $*"
  "$@" > "$OUT/$name.log" 2>&1
  rc=$?
  SUMMARY+=("$name: $((SECONDS - started)) s, exit $rc")
  echo "   $name: $((SECONDS - started)) s, exit $rc (log: $OUT/$name.log)"
  [ $rc = 0 ] || FAILED+=("$name")
}

# replication_section SAMPLES CATCHUP_INSTANCES
replication_section() {
  local samples="$1" catchup="$2" raw="$OUT/replication.raw" section="$OUT/replication.section.md"
  local started=$SECONDS
  SAMPLES="$samples" CATCHUP_INSTANCES="$catchup" bench/replication/run.sh "$BUILD_DIR" > "$raw" || return 1
  {
    echo "## Replication, this run (bench/replication/run.sh)"
    echo "<!-- replication-run:begin (written by bench/run_all.sh; rerun it) -->"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD); run time $((SECONDS - started)) s"
    echo "- Command: \`SAMPLES=$samples CATCHUP_INSTANCES=$catchup bench/replication/run.sh\` (data on ${PARENT:-/tmp})"
    echo "- What the figures mean, and the longer runs: [\`bench/replication/RESULTS.md\`](replication/RESULTS.md)"
    echo
    echo '```'
    cat "$raw"
    echo '```'
    echo "<!-- replication-run:end -->"
  } > "$section"
  write_marked_section "$RESULTS_FILE" replication-run "$section"
}

if [ "$QUICK" = 1 ]; then
  step micro env REPETITIONS=2 MIN_TIME=0.01 FILTER=-/100000 bench/micro/run.sh "$OUT/micro"
  step scaling env SIZES=1000 DURATION=2 SINGLE=3 bench/scaling.sh "$OUT/scaling"
  step load env RUNS=1 DURATION=2s RESTARTS=1 INSTANCES=1000 bench/run_load.sh "$OUT/load"
  step hostile bench/hostile_traffic.sh --duration-s 3 --slow 20 --idle 100 --floods 2 --probes 4
  step stall env INSTANCES=5000 APPS=100 DURATION=4 ROUNDS=1 bench/snapshot_stall.sh "$OUT/stall"
  step restart env INSTANCES=5000 APPS=100 EVENTS=20000 SNAPSHOT_EVERY=5000 TAIL=2000 RESTARTS=1 \
    bench/restart_scale.sh "$OUT/restart"
  step replication replication_section 20 1000
else
  step micro bench/micro/run.sh "$OUT/micro"
  step scaling bench/scaling.sh "$OUT/scaling"
  step load env RUNS=3 DURATION=10s RESTARTS=3 bench/run_load.sh "$OUT/load"
  step hostile bench/hostile_traffic.sh
  step stall env ROUNDS=2 bench/snapshot_stall.sh "$OUT/stall"
  step restart env RESTARTS=3 bench/restart_scale.sh "$OUT/restart"
  step replication replication_section 300 20000
fi

echo "== done in $SECONDS s: ${SUMMARY[*]/%/;}"
echo "   results: $RESULTS_FILE"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed steps: ${FAILED[*]}" >&2
  exit 1
fi
