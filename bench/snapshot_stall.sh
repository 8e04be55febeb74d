#!/usr/bin/env bash
# Event-loop stall while snapshots of INSTANCES instances are taken (issue 4). A data dir with
# INSTANCES registered instances (build/bench/make_datadir) is served twice under the same light
# renew load (wrk, CONNECTIONS connections each pacing PACE_MS between requests, bench/load/renew.lua):
#   baseline:  snapshots off (every-events and every-ms far away)
#   snapshots: logbook.snapshot.every-ms=EVERY_MS, so about DURATION/EVERY_MS snapshots of the
#              whole registry are taken during the load
# and reports the loop's longest stall and its stalls over 5 ms from /logbook/v1/status ("loop":
# one loop iteration's busy time, net/loop_stall_meter.h), next to the snapshots taken and their
# encode+write time. Goal: longest stall during snapshots <= 5 ms.
#
# usage: bench/snapshot_stall.sh [OUT_DIR]
# Environment (defaults): INSTANCES=100000 APPS=1000 DURATION=20 (s) EVERY_MS=2000
#   CONNECTIONS=8 PACE_MS=4 ROUNDS=2 RESULTS_FILE=- SKIP_BUILD=0 BUILD_DIR=build
#   PERF=0 (1: perf record -g the node during the first snapshot round, report in OUT_DIR)
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
INSTANCES="${INSTANCES:-100000}"
APPS="${APPS:-1000}"
DURATION="${DURATION:-20}"
EVERY_MS="${EVERY_MS:-2000}"
CONNECTIONS="${CONNECTIONS:-8}"
PACE_MS="${PACE_MS:-4}"
ROUNDS="${ROUNDS:-2}"
PERF="${PERF:-0}"
RESULTS_FILE="${RESULTS_FILE:--}"
COMMAND="bench/snapshot_stall.sh${1:+ $1}"
for v in INSTANCES APPS DURATION EVERY_MS CONNECTIONS PACE_MS ROUNDS; do
  [ -n "$(printenv "$v")" ] && COMMAND="$v=$(printenv "$v") $COMMAND"
done

OUT="${1:-}"
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-stall.XXXXXX") || exit 1; fi
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${DATA_BASE:-${TMPDIR:-/tmp}}/logbook-stall-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
for tool in wrk curl awk cmake python3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
echo "output: $OUT   data dirs: $DATA_ROOT"
MACHINE="$(machine_line)"
START_S=$SECONDS
build_tools
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+dirty')"

log "building a data dir with $INSTANCES instances"
SEED_DIR="$DATA_ROOT/seed"
"$MAKE_DATADIR" --data-dir "$SEED_DIR" --instances "$INSTANCES" --apps "$APPS" --events "$INSTANCES" \
  --snapshot-every-events "$INSTANCES" > "$OUT/make.txt" 2>&1 || die "make_datadir failed: $(cat "$OUT/make.txt")"
echo "  $(cat "$OUT/make.txt")"

declare -A S
add() { S[$1]="${S[$1]:-} $2"; }
# one_run NAME ROUND serve-args...: a node on a copy of the seed dir, the paced renew load for
# DURATION s, then the status figures.
one_run() {
  local name="$1" round="$2"; shift 2
  local dir="$DATA_ROOT/$name-$round" perf_pid=""
  rm -rf "$dir"; cp -a "$SEED_DIR" "$dir"
  start_on "$dir" "$OUT/$name-$round.log" "$@"
  wait_listening; wait_ready
  if [ "$PERF" = 1 ] && [ "$name" = snapshots ] && [ "$round" = 1 ]; then
    perf record -g -o "$OUT/perf.data" -p "$NODE_PID" -- sleep "$DURATION" > "$OUT/perf.log" 2>&1 &
    perf_pid=$!; PIDS+=("$perf_pid")
  fi
  LB_PACE_MS="$PACE_MS" timeout $(( DURATION + 30 )) wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" \
    -s "$ROOT/bench/load/renew.lua" "http://127.0.0.1:$NODE_PORT" -- "$INSTANCES" "$APPS" \
    > "$OUT/wrk-$name-$round.txt" 2>&1 || die "wrk failed: $(tail -3 "$OUT/wrk-$name-$round.txt")"
  [ -n "$perf_pid" ] && wait "$perf_pid"
  http_get "$NODE_PORT" /logbook/v1/status > "$OUT/status-$name-$round.json"
  python3 - "$OUT/status-$name-$round.json" > "$OUT/figures-$name-$round.txt" <<'PY' || die "bad status JSON"
import json, sys
d = json.load(open(sys.argv[1]))
loop, snap = d["loop"], d.get("snapshots", {})
print(loop["max_stall_ms"], loop.get("max_stall_cpu_ms", ""), loop["stalls_over_5ms"], loop["iterations"], loop["busy_ms"],
      snap.get("taken", 0), snap.get("last_ms", 0), snap.get("last_bytes", 0))
PY
  local max cpu over iterations busy taken last_ms last_bytes
  read -r max cpu over iterations busy taken last_ms last_bytes < "$OUT/figures-$name-$round.txt"
  local requests non2xx
  requests=$(sed -n 's/.*LB_RESULT requests=\([0-9]*\).*/\1/p' "$OUT/wrk-$name-$round.txt")
  non2xx=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' "$OUT/wrk-$name-$round.txt")
  add "$name.max" "$max"; add "$name.cpu" "$cpu"; add "$name.over" "$over"; add "$name.taken" "$taken"
  add "$name.last_ms" "$last_ms"; add "$name.bytes" "$last_bytes"
  add "$name.rps" "$(awk -v r="$requests" -v d="$DURATION" 'BEGIN {printf "%.0f", r / d}')"
  add "$name.non2xx" "${non2xx:-0}"
  echo "  [$name $round] max stall $max ms (CPU $cpu ms), $over stalls > 5 ms in $iterations iterations;" \
       "$taken snapshots (last $last_ms ms, $last_bytes B); $requests renewals, ${non2xx:-?} non-2xx"
  stop_pid "$NODE_PID" TERM
  rm -rf "$dir"
}

FAR=1000000000000
for round in $(seq 1 "$ROUNDS"); do
  one_run baseline "$round" --set "logbook.snapshot.every-events=$FAR" --set "logbook.snapshot.every-ms=${FAR}ms"
  one_run snapshots "$round" --set "logbook.snapshot.every-events=$FAR" --set "logbook.snapshot.every-ms=${EVERY_MS}ms"
done
if [ "$PERF" = 1 ] && [ -f "$OUT/perf.data" ]; then
  perf report -i "$OUT/perf.data" --no-children --sort comm,symbol --stdio 2>/dev/null | head -60 > "$OUT/perf.txt"
  echo "perf report: $OUT/perf.txt"
fi

m() { median ${S[$1]}; }
rg() { range ${S[$1]}; }
SECTION="$(cat <<MD
## Event-loop stall during snapshots of $INSTANCES instances

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; run time $(( SECONDS - START_S )) s
- Machine: $MACHINE
- Command: \`$COMMAND\`
- A data dir with $INSTANCES registered instances (\`build/bench/make_datadir\`); each run serves a
  copy of it for ${DURATION} s under a light renew load (\`wrk -t1 -c$CONNECTIONS\`, each connection
  pacing $PACE_MS ms between requests: \`LB_PACE_MS=$PACE_MS\`, \`bench/load/renew.lua\`), once with
  snapshots off and once with \`logbook.snapshot.every-ms=$EVERY_MS\`, $ROUNDS rounds interleaved.
  Stall = one loop iteration's busy time (\`"loop"\` in \`/logbook/v1/status\`, net/loop_stall_meter.h),
  over the node's whole run.

| median (min–max) over $ROUNDS rounds | snapshots off | snapshots every $EVERY_MS ms |
|---|---|---|
| **longest loop stall** (wall clock) | $(m baseline.max) ($(rg baseline.max)) ms | **$(m snapshots.max)** ($(rg snapshots.max)) ms |
| longest loop stall in the loop thread's CPU time | $(m baseline.cpu) ($(rg baseline.cpu)) ms | **$(m snapshots.cpu)** ($(rg snapshots.cpu)) ms |
| loop stalls over 5 ms (wall) | $(m baseline.over) ($(rg baseline.over)) | $(m snapshots.over) ($(rg snapshots.over)) |
| snapshots taken during the run | $(m baseline.taken) | $(m snapshots.taken) ($(rg snapshots.taken)) |
| one snapshot: cut (loop slices, wall time) + compress + write | — | $(m snapshots.last_ms) ($(rg snapshots.last_ms)) ms |
| one snapshot: bytes | — | $(m snapshots.bytes) |
| renewals/s (paced) | $(m baseline.rps) | $(m snapshots.rps) |
| non-2xx | $(m baseline.non2xx) | $(m snapshots.non2xx) |

Goal: longest stall during snapshots ≤ 5 ms. The loop cuts each snapshot from its own registry
(copy-on-write: an instance that changes before it is encoded is copied first) in slices of at most
0.5 ms of encoding, one per loop turn; the snapshotter thread joins, compresses and writes the body
once it is durable. The 2 cores are shared with wrk and the
snapshotter (and, here, with other jobs), so a wall-clock stall can also be the loop thread waiting
for a core; the CPU-time column is what the loop itself computed in its longest iteration.
MD
)"
echo
echo "$SECTION"
[ "$RESULTS_FILE" = - ] || write_section "$RESULTS_FILE" "## Event-loop stall during snapshots" "$SECTION"
