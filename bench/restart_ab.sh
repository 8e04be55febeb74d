#!/usr/bin/env bash
# Restart A/B: two (or more) logbook binaries restarted on the same data dirs, interleaved in each
# round, so that a shared machine's load falls on all of them alike. Each start is on a fresh copy
# of a dir, read once first (warm), timed exec -> /readyz 200; reports per start and as medians
# the wall time, the process's CPU (all threads) and the main thread's CPU at ready (the path to
# ready: the other threads' work, RocksDB's and the snapshotter's, only competes for a core),
# and the startup line's open_cpu_ms and recovery_cpu_ms.
#
# usage: bench/restart_ab.sh ROUNDS CRASHED_DIR CLEAN_DIR BIN_A BIN_B [BIN...]
#   CRASHED_DIR: a dir as kill -9 leaves it, e.g. DATA_ROOT/crashed of
#     `KEEP_DATA=1 bench/restart_scale.sh` (restarts on it replay its WAL and log tail)
#   CLEAN_DIR: a dir a node stopped with SIGTERM (DATA_ROOT/term of the same run)
#   BIN_*: copies of build/logbook from the commits to compare
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
[ $# -ge 5 ] || { sed -n '2,14p' "$0"; exit 2; }
ROUNDS=$1; CRASHED=$2; CLEAN=$3; shift 3
BINS=("$@")
OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-restart-ab.XXXXXX") || exit 1
DATA_ROOT=$(mktemp -d "${DATA_BASE:-${TMPDIR:-/tmp}}/logbook-restart-ab-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
for dir in "$CRASHED" "$CLEAN"; do [ -f "$dir/CURRENT" ] || die "$dir is not a data dir"; done
for bin in "${BINS[@]}"; do [ -x "$bin" ] || die "$bin is not executable"; done

declare -A S
add() { S[$1]="${S[$1]:-} $2"; }
# cpu_ms STAT_FILE: utime + stime of /proc/.../stat, in ms
cpu_ms() { awk -v t="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1000 / t}' "$1"; }
field() { echo "$NODE_LINE" | sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p"; }

echo "output: $OUT; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  for mode in kill term; do
    for b in "${!BINS[@]}"; do
      BIN=${BINS[$b]}
      dir="$DATA_ROOT/dir"; rm -rf "$dir"
      if [ "$mode" = kill ]; then cp -a "$CRASHED" "$dir"; else cp -a "$CLEAN" "$dir"; fi || die "copy failed"
      find "$dir" -type f -exec cat {} + > /dev/null
      NODE_PORT=$(free_port)
      START_PORT=$NODE_PORT start_on "$dir" "$OUT/$mode-$b-$r.log"
      wait_ready; wait_listening
      ready=$(ms_between "$NODE_T0" "$T_READY")
      cpu=$(cpu_ms "/proc/$NODE_PID/stat"); main=$(cpu_ms "/proc/$NODE_PID/task/$NODE_PID/stat")
      open=$(field open_cpu_ms); recovery=$(field recovery_cpu_ms)
      add "$mode.$b.ready" "$ready"; add "$mode.$b.cpu" "$cpu"; add "$mode.$b.main" "$main"
      add "$mode.$b.open" "$open"; add "$mode.$b.recovery" "$recovery"
      echo "[$r $mode bin$b] ready $ready ms; CPU $cpu ms, main thread $main ms; open_cpu_ms $open, recovery_cpu_ms $recovery"
      stop_pid "$NODE_PID" KILL
    done
  done
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
for mode in kill term; do
  for b in "${!BINS[@]}"; do
    m() { median ${S[$mode.$b.$1]}; }
    echo "median $mode bin$b (${BINS[$b]}): ready $(m ready) ms; CPU $(m cpu) ms, main thread $(m main) ms; open_cpu_ms $(m open), recovery_cpu_ms $(m recovery)"
  done
done
