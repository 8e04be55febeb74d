#!/usr/bin/env bash
# Restart at scale (issue 4): a data dir with INSTANCES instances and EVENTS events (registrations,
# then renewals), built once, offline, by build/bench/make_datadir exactly as a node writes it
# (snapshots every SNAPSHOT_EVERY events, as logbook.snapshot.every-events does), left as kill -9
# leaves it: the last TAIL events after the last snapshot, the events since the memtables' last
# flush only in RocksDB's WAL. Measures exec -> /readyz 200:
#   sigterm: a copy of that dir, on which a node ran and was stopped with SIGTERM (it takes a final
#            snapshot and flushes), restarted
#   sigkill: a fresh copy of the crashed dir for every start: RocksDB WAL recovery + replay of TAIL
# each cold-ish (the dir's pages dropped from the page cache with posix_fadvise DONTNEED first) and
# warm, next to `cat DIR/* > /dev/null` of the same files, cold-ish and warm, in the same run.
# Also the RSS per instance after a restart (VmRSS minus an empty node's, / INSTANCES).
#
# usage: bench/restart_scale.sh [OUT_DIR]
# Environment (defaults): INSTANCES=100000 APPS=1000 EVENTS=1000000 SNAPSHOT_EVERY=100000
#   TAIL=50000 RESTARTS=5 DATA_BASE=${TMPDIR:-/tmp} RESULTS_FILE=- (a path: writes the markdown
#   section there) SKIP_BUILD=0 BUILD_DIR=build KEEP_DATA=0
#   CRASHED_FROM= (a crashed dir built before, e.g. DATA_ROOT/crashed of a KEEP_DATA=1 run: copied
#   instead of building one; the WAL it holds is what the build that wrote it left, so rebuild it
#   after a change to the storage options)
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
INSTANCES="${INSTANCES:-100000}"
APPS="${APPS:-1000}"
EVENTS="${EVENTS:-1000000}"
SNAPSHOT_EVERY="${SNAPSHOT_EVERY:-100000}"
TAIL="${TAIL:-50000}"
RESTARTS="${RESTARTS:-5}"
RESULTS_FILE="${RESULTS_FILE:--}"
COMMAND="bench/restart_scale.sh${1:+ $1}"
CRASHED_FROM="${CRASHED_FROM:-}"
for v in INSTANCES APPS EVENTS SNAPSHOT_EVERY TAIL RESTARTS GLIBC_TUNABLES CRASHED_FROM; do
  [ -n "$(printenv "$v")" ] && COMMAND="$v=$(printenv "$v") $COMMAND"
done

OUT="${1:-}"
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-restart.XXXXXX") || exit 1; fi
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${DATA_BASE:-${TMPDIR:-/tmp}}/logbook-restart-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
for tool in curl awk cmake python3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
echo "output: $OUT   data dirs: $DATA_ROOT"
MACHINE="$(machine_line)"
START_S=$SECONDS
build_tools
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+dirty')"

# drop_cache DIR: evicts the dir's clean pages from the page cache (no root needed); the next
# read comes from the disk or the hypervisor's cache: "cold-ish".
drop_cache() {
  sync -f "$1" 2>/dev/null
  python3 - "$1" <<'PY'
import os, sys
for base, _, files in os.walk(sys.argv[1]):
    for name in files:
        fd = os.open(os.path.join(base, name), os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
PY
}
# read_ms DIR: time of `cat DIR/* > /dev/null` (every file, recursively)
read_ms() {
  local t0=$EPOCHREALTIME
  find "$1" -type f -exec cat {} + > /dev/null
  ms_between "$t0" "$EPOCHREALTIME"
}
# timed_start DIR NAME: exec -> /readyz 200; sets READY_MS, REPLAYED, RECOVERY_MS, SNAP_OFFSET and
# the node's own CPU figures by phase: START_CPU (exec to opening the log), OPEN_CPU (RocksDB's
# open: its WAL recovery), RECOVERY_CPU (snapshot decode + replay)
timed_start() {
  # A known port, so that /readyz is polled from exec on, without watching the log for the port.
  NODE_PORT=$(free_port)
  START_PORT=$NODE_PORT start_on "$1" "$OUT/$2.log"
  wait_ready
  wait_listening
  READY_MS=$(ms_between "$NODE_T0" "$T_READY")
  REPLAYED=$(echo "$NODE_LINE" | sed -n 's/.*recovered_events=\([0-9]*\).*/\1/p')
  RECOVERY_MS=$(echo "$NODE_LINE" | sed -n 's/.*recovery_ms=\([0-9]*\).*/\1/p')
  SNAP_OFFSET=$(echo "$NODE_LINE" | sed -n 's/.*snapshot_offset=\([0-9]*\).*/\1/p')
  START_CPU=$(echo "$NODE_LINE" | sed -n 's/.*start_cpu_ms=\([0-9]*\).*/\1/p')
  OPEN_CPU=$(echo "$NODE_LINE" | sed -n 's/.*open_cpu_ms=\([0-9]*\).*/\1/p')
  RECOVERY_CPU=$(echo "$NODE_LINE" | sed -n 's/.*recovery_cpu_ms=\([0-9]*\).*/\1/p')
}

log "building the data dir: $INSTANCES instances, $EVENTS events, snapshots every $SNAPSHOT_EVERY, $TAIL after the last, as kill -9 leaves it"
CRASHED_DIR="$DATA_ROOT/crashed"; TERM_DIR="$DATA_ROOT/term"; KILL_DIR="$DATA_ROOT/kill"
GEN_T0=$EPOCHREALTIME
if [ -n "$CRASHED_FROM" ]; then
  [ -f "$CRASHED_FROM/CURRENT" ] || die "CRASHED_FROM=$CRASHED_FROM is not a data dir"
  cp -a "$CRASHED_FROM" "$CRASHED_DIR" || die "cannot copy $CRASHED_FROM"
  echo "copied from $CRASHED_FROM (built before; not rebuilt)" > "$OUT/make_datadir.txt"
else
  "$MAKE_DATADIR" --data-dir "$CRASHED_DIR" --instances "$INSTANCES" --apps "$APPS" --events "$EVENTS" \
    --snapshot-every-events "$SNAPSHOT_EVERY" --unsnapshotted-tail "$TAIL" --exit-without-close 1 \
    > "$OUT/make_datadir.txt" 2>&1 || die "make_datadir failed: $(cat "$OUT/make_datadir.txt")"
fi
GEN_MS=$(ms_between "$GEN_T0" "$EPOCHREALTIME")
GEN_NOTE="in $GEN_MS ms"
[ -n "$CRASHED_FROM" ] && GEN_NOTE="by an earlier run (copied from \`$CRASHED_FROM\`)"
WAL_BYTES=$(find "$CRASHED_DIR" -name '*.log' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "  $(cat "$OUT/make_datadir.txt") (${GEN_MS} ms; WAL left: $WAL_BYTES bytes)"
# fresh_copy DIR: DIR becomes a copy of the crashed dir, as kill -9 left it.
fresh_copy() { rm -rf "$1" && cp -a "$CRASHED_DIR" "$1" || die "cannot copy the data dir to $1"; }
# The sigterm dir: a node recovered the crashed copy and stopped cleanly.
fresh_copy "$TERM_DIR"

# An empty node's RSS, for the per-instance figure.
EMPTY_DIR="$DATA_ROOT/empty"
start_on "$EMPTY_DIR" "$OUT/empty.log"; wait_listening; wait_ready
RSS_EMPTY=$(rss_kib "$NODE_PID"); stop_pid "$NODE_PID" TERM

declare -A S
add() { S[$1]="${S[$1]:-} $2"; }
for r in $(seq 1 "$RESTARTS"); do
  for mode in term kill; do
    dir="$DATA_ROOT/$mode"
    if [ "$mode" = term ]; then
      # Bring the dir to its pre-restart state: a node ran on it and was stopped with SIGTERM.
      start_on "$dir" "$OUT/$mode-prep-$r.log"; wait_listening; wait_ready
      stop_pid "$NODE_PID" TERM
    fi
    for cache in cold warm; do
      # Every kill -9 restart starts from the crashed state: the previous start recovered the WAL.
      if [ "$mode" = kill ]; then fresh_copy "$dir"; fi
      [ "$cache" = cold ] && add "$mode.bytes" "$(du -sb "$dir" | cut -f1)"
      if [ "$cache" = cold ]; then drop_cache "$dir"; fi
      add "$mode.$cache.read_ms" "$(read_ms "$dir")"
      if [ "$cache" = cold ]; then drop_cache "$dir"; else read_ms "$dir" > /dev/null; fi
      timed_start "$dir" "$mode-$cache-$r"
      rss=$(rss_kib "$NODE_PID")
      # CPU the process used from exec to ready (all threads): what the restart costs without the
      # waiting for a core that a shared machine adds to the wall time.
      cpu=$(awk -v t="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / t}' "/proc/$NODE_PID/stat")
      add "$mode.$cache.cpu_ms" "$cpu"
      add "$mode.$cache.start_cpu_ms" "$START_CPU"; add "$mode.$cache.open_cpu_ms" "$OPEN_CPU"
      add "$mode.$cache.recovery_cpu_ms" "$RECOVERY_CPU"
      add "$mode.$cache.ready_ms" "$READY_MS"; add "$mode.$cache.recovery_ms" "$RECOVERY_MS"
      add "$mode.replayed" "$REPLAYED"; add "$mode.snapshot_offset" "$SNAP_OFFSET"; add "$mode.rss" "$rss"
      echo "  [$r $mode $cache] read ${S[$mode.$cache.read_ms]##* } ms; /readyz 200 after $READY_MS ms (CPU $cpu ms: start $START_CPU, open $OPEN_CPU, recovery $RECOVERY_CPU) (snapshot $SNAP_OFFSET, replayed $REPLAYED in $RECOVERY_MS ms), RSS $rss KiB"
      if [ "$mode" = term ]; then stop_pid "$NODE_PID" TERM; else stop_pid "$NODE_PID" KILL; fi
    done
  done
done

m() { median ${S[$1]}; }
rg() { range ${S[$1]}; }
ratio() { awk -v a="$(m "$1")" -v b="$(m "$2")" 'BEGIN {printf "%.1f", a / b}'; }
per_instance() { awk -v r="$(m "$1")" -v e="$RSS_EMPTY" -v n="$INSTANCES" 'BEGIN {printf "%.0f", (r - e) * 1024 / n}'; }
SECTION="$(cat <<MD
## Restart at scale: $INSTANCES instances, $EVENTS events

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; run time $(( SECONDS - START_S )) s
- Machine: $MACHINE
- Command: \`$COMMAND\`
- Data dir: built once by \`build/bench/make_datadir --exit-without-close 1\` (core's Decide/Apply +
  storage's EventLog, the node's own bytes) $GEN_NOTE: $INSTANCES registrations in $APPS apps, then
  renewals round-robin up to $EVENTS events, snapshots every $SNAPSHOT_EVERY events (3 kept), the last
  $TAIL events after the last snapshot, ended without closing RocksDB as \`kill -9\` would. Size on disk:
  $(awk -v b="$(m kill.bytes)" 'BEGIN {printf "%.1f MB", b/1e6}'), of which $(awk -v b="$WAL_BYTES" 'BEGIN {printf "%.1f MB", b/1e6}') of WAL (what RocksDB replays into its memtables).
- sigkill: a fresh copy of that dir for every start (RocksDB WAL recovery, then a replay of $TAIL
  events into the registry). sigterm: a copy on which a node ran and stopped with SIGTERM (final
  snapshot, memtables flushed), restarted. cold-ish: the dir's pages evicted with
  \`posix_fadvise(DONTNEED)\` first; warm: right after reading them. Each restart is exec →
  \`/readyz\` 200, polled every 5 ms.

| median (min–max) over $RESTARTS | cold-ish | warm |
|---|---|---|
| \`cat\` of the data dir (sigterm dir) | $(m term.cold.read_ms) ($(rg term.cold.read_ms)) ms | $(m term.warm.read_ms) ($(rg term.warm.read_ms)) ms |
| **restart after SIGTERM** → \`/readyz\` 200 | **$(m term.cold.ready_ms)** ($(rg term.cold.ready_ms)) ms | **$(m term.warm.ready_ms)** ($(rg term.warm.ready_ms)) ms |
| ratio to the \`cat\` | $(ratio term.cold.ready_ms term.cold.read_ms)× | $(ratio term.warm.ready_ms term.warm.read_ms)× |
| CPU time of the node, exec → ready (all threads) | $(m term.cold.cpu_ms) ($(rg term.cold.cpu_ms)) ms | $(m term.warm.cpu_ms) ($(rg term.warm.cpu_ms)) ms |
| of which recovery (snapshot load + replay of $(m term.replayed) events) | $(m term.cold.recovery_ms) ms | $(m term.warm.recovery_ms) ms |
| CPU by phase: process start / RocksDB open / recovery | $(m term.cold.start_cpu_ms) / $(m term.cold.open_cpu_ms) / $(m term.cold.recovery_cpu_ms) ms | $(m term.warm.start_cpu_ms) / $(m term.warm.open_cpu_ms) / $(m term.warm.recovery_cpu_ms) ms |
| \`cat\` of the data dir (sigkill dir) | $(m kill.cold.read_ms) ($(rg kill.cold.read_ms)) ms | $(m kill.warm.read_ms) ($(rg kill.warm.read_ms)) ms |
| **restart after \`kill -9\`** → \`/readyz\` 200 | **$(m kill.cold.ready_ms)** ($(rg kill.cold.ready_ms)) ms | **$(m kill.warm.ready_ms)** ($(rg kill.warm.ready_ms)) ms |
| ratio to the \`cat\` | $(ratio kill.cold.ready_ms kill.cold.read_ms)× | $(ratio kill.warm.ready_ms kill.warm.read_ms)× |
| CPU time of the node, exec → ready (all threads) | $(m kill.cold.cpu_ms) ($(rg kill.cold.cpu_ms)) ms | $(m kill.warm.cpu_ms) ($(rg kill.warm.cpu_ms)) ms |
| of which recovery (snapshot load + replay of $(m kill.replayed) events) | $(m kill.cold.recovery_ms) ms | $(m kill.warm.recovery_ms) ms |
| CPU by phase: process start / RocksDB open (WAL recovery) / recovery | $(m kill.cold.start_cpu_ms) / $(m kill.cold.open_cpu_ms) / $(m kill.cold.recovery_cpu_ms) ms | $(m kill.warm.start_cpu_ms) / $(m kill.warm.open_cpu_ms) / $(m kill.warm.recovery_cpu_ms) ms |

Goal: ≤ 1 s and ≤ 5× the file read. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). **RSS after a restart: $(per_instance term.rss) bytes per instance**
(VmRSS $(m term.rss) KiB with $INSTANCES instances, minus $RSS_EMPTY KiB of an empty node, no fetch
served yet: registry, RocksDB memtables and block cache, the allocator's slack).
MD
)"
echo
echo "$SECTION"
# The medians, one "name<TAB>value" a line, for bench/goal_table.py.
{
  for k in term.cold.read_ms term.warm.read_ms term.cold.ready_ms term.warm.ready_ms \
           kill.cold.read_ms kill.warm.read_ms kill.cold.ready_ms kill.warm.ready_ms \
           term.cold.cpu_ms term.warm.cpu_ms kill.cold.cpu_ms kill.warm.cpu_ms \
           kill.cold.open_cpu_ms kill.warm.open_cpu_ms kill.cold.recovery_cpu_ms kill.warm.recovery_cpu_ms; do
    printf '%s\t%s\n' "$k" "$(m "$k")"
  done
  printf 'wal_bytes\t%s\ninstances\t%s\nevents\t%s\ntail\t%s\nrestarts\t%s\n' \
    "$WAL_BYTES" "$INSTANCES" "$EVENTS" "$TAIL" "$RESTARTS"
} > "$OUT/figures.tsv"
[ "$RESULTS_FILE" = - ] || write_section "$RESULTS_FILE" "## Restart at scale" "$SECTION"
