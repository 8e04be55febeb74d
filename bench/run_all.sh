#!/usr/bin/env bash
# The benchmark suite, one command: builds Release once (skipped when up to date), then runs the
# steps that measure every goal row of issue 6, each next to its anchor in the same run, and
# writes bench/RESULTS.md: the goal table at the top (bench/goal_table.py), each step's own
# section below it. Default steps (≤ 10 min on 2 quiet cores, the build excluded):
#   scaling    bench/scaling.sh           full-fetch latency and RSS at 1k/10k/100k, bench/scaling.png,
#                                         the memtables at each size (the memory row's split)
#   load       bench/run_load.sh          3 interleaved rounds of 5 s: hello anchor, durable renew,
#                                         durable register, etcd put; then bench/fetch_vs_nginx.sh:
#                                         full fetch vs nginx (alone and with 1,000 renewals/s) and
#                                         the delta at 10k and 100k instances
#   restart    bench/restart_scale.sh     restart to ready, 100k instances, 1M events, after SIGTERM
#                                         and kill -9 (one data dir built once), next to `cat` of it
#   memory     build/bench/registry_memory   the registry's heap per instance at 100k (records)
#   goals      bench/goal_table.py        the goal table from the figures above
# LONG=1 adds what no goal row needs: the micro-benchmarks (bench/micro/run.sh), the 256-connection
# and --sync none renew figures, the fetch on node A, 10k-instance restarts, the full fetch next to
# each delta, hostile traffic, the snapshot stall and replication; and runs 10 s wrk (~35 min).
# A step that fails is reported and the others still run; the exit code is 1 if any failed.
#
# usage: bench/run_all.sh [OUT_DIR]     (every step's raw output under it; default: a new temp dir)
# Environment:
#   QUICK=1      tiny settings (~3 min) to check every step end to end: figures are not worth
#                keeping, so RESULTS_FILE then defaults to OUT_DIR/RESULTS.md, a copy of
#                bench/RESULTS.md (the PNG goes there too)
#   LONG=1       every step and figure, longer runs (see above)
#   RESULTS_FILE=bench/RESULTS.md   STEPS="scaling load restart memory goals" (LONG adds
#                micro hostile stall replication)   BUILD_DIR=build
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
QUICK="${QUICK:-0}"
LONG="${LONG:-0}"
if [ "$LONG" = 1 ] || [ "$QUICK" = 1 ]; then
  STEPS="${STEPS:-micro scaling load hostile stall restart replication memory goals}"
else
  STEPS="${STEPS:-scaling load restart memory goals}"
fi
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
echo "output: $OUT   results: $RESULTS_FILE   steps: $STEPS$([ "$QUICK" = 1 ] && echo ' (QUICK)')$([ "$LONG" = 1 ] && echo ' (LONG)')"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "== building Release in $BUILD_DIR"
{ cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON &&
  cmake --build "$BUILD_DIR" -j2 --target logbook seed_instances make_datadir registry_memory \
    hostile_traffic replication_latency micro_bench; } > "$OUT/build.log" 2>&1 ||
  { echo "build failed, see $OUT/build.log" >&2; exit 1; }
export SKIP_BUILD=1
SUITE_START=$SECONDS

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

# registry_memory_step INSTANCES APPS: the registry's heap per instance (the memory row's records).
registry_memory_step() {
  "$BUILD_DIR/bench/registry_memory" --instances "$1" --apps "$2" | tee "$OUT/registry_memory.txt"
}
# goals_step COMMAND: the goal table at the top of RESULTS_FILE from this run's raw output.
goals_step() {
  local header="$OUT/goal_header.md"
  {
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench/RESULTS.md' ':!bench/scaling.png' ':!bench/scaling.tsv' || echo '+uncommitted'); suite run time $((SECONDS - SUITE_START)) s, build excluded"
    echo "- Command: \`$1\`; steps: $STEPS; raw output in a temp dir (not kept)"
    echo "- Machine: $(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
    echo "  load average (1, 5, 15 min) at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Every ratio is the median over rounds of Logbook ÷ anchor measured in the same round (min–max"
    echo "  over the rounds in brackets); CPU/request = utime+stime of the server process(es) during the"
    echo "  wrk run ÷ requests. wrk shares the 2 cores with the servers. **On a shared machine the figures"
    echo "  are noisy (see the load average): rerun on a quiet machine before judging a goal.** Each row's"
    echo "  detail and its exact command are in the section of its step below."
    echo "- Sources: renew and register: \"Throughput\" (\`bench/run_load.sh\`); fetch and delta: \"Full fetch"
    echo "  side by side with nginx\" (\`bench/fetch_vs_nginx.sh\`); restart: \"Restart at scale\""
    echo "  (\`bench/restart_scale.sh\`); memory and plot: \"Scaling\" (\`bench/scaling.sh\`) with"
    echo "  \`build/bench/registry_memory --instances 100000 --apps 2000\` for the records and the memtables"
    echo "  a clean stop flushed (RocksDB's LOG) for the log; rest = the total minus those three."
  } > "$header"
  python3 "$ROOT/bench/goal_table.py" "$OUT" "$RESULTS_FILE" "$header"
}
COMMAND_LINE="$( [ "$QUICK" = 1 ] && echo 'QUICK=1 ')$( [ "$LONG" = 1 ] && echo 'LONG=1 ')bench/run_all.sh"

if [ "$QUICK" = 1 ]; then
  step micro env REPETITIONS=2 MIN_TIME=0.01 FILTER=-/100000 bench/micro/run.sh "$OUT/micro"
  step scaling env SIZES=1000 DURATION=2 SINGLE=1 bench/scaling.sh "$OUT/scaling"
  step load env RUNS=1 DURATION=2s RESTARTS=1 INSTANCES=1000 DELTA_SIZES="1000 2000" \
    DELTA_DURATION=2s bench/run_load.sh "$OUT/load"
  step hostile bench/hostile_traffic.sh --duration-s 3 --slow 20 --idle 100 --floods 2 --probes 4
  step stall env INSTANCES=5000 APPS=100 DURATION=4 ROUNDS=1 bench/snapshot_stall.sh "$OUT/stall"
  step restart env INSTANCES=5000 APPS=100 EVENTS=20000 SNAPSHOT_EVERY=5000 TAIL=2000 RESTARTS=1 \
    bench/restart_scale.sh "$OUT/restart"
  step replication replication_section 20 1000
  step memory registry_memory_step 1000 20
  step goals goals_step "$COMMAND_LINE"
elif [ "$LONG" = 1 ]; then
  step micro bench/micro/run.sh "$OUT/micro"
  step scaling bench/scaling.sh "$OUT/scaling"
  step load env RUNS=3 DURATION=10s RESTARTS=3 bench/run_load.sh "$OUT/load"
  step hostile bench/hostile_traffic.sh
  step stall env ROUNDS=2 bench/snapshot_stall.sh "$OUT/stall"
  step restart env RESTARTS=5 bench/restart_scale.sh "$OUT/restart"
  step replication replication_section 300 20000
  step memory registry_memory_step 100000 2000
  step goals goals_step "$COMMAND_LINE"
else
  # Bounded to ~10 min on 2 cores: 5 s wrk runs, 3 rounds for every ratio, only what a goal row needs.
  step scaling env DURATION=3 SINGLE=1 bench/scaling.sh "$OUT/scaling"
  step load env RUNS=3 DURATION=5s RESTARTS=0 WIDE_CONNECTIONS=0 SYNC_NONE=0 LOAD_FETCH=0 \
    DELTA_FULL=0 DELTA_DURATION=5s bench/run_load.sh "$OUT/load"
  step restart env RESTARTS=3 bench/restart_scale.sh "$OUT/restart"
  step memory registry_memory_step 100000 2000
  step goals goals_step "$COMMAND_LINE"
fi

echo "== done in $SECONDS s: ${SUMMARY[*]/%/;}"
echo "   results: $RESULTS_FILE"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed steps: ${FAILED[*]}" >&2
  exit 1
fi
