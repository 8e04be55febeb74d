#!/usr/bin/env bash
# Load benchmarks of a Logbook node, each next to the libuv "hello" anchor measured in the same run
# (see ../shared/bench/ANCHORS.md). Builds Release, then for RUNS interleaved rounds:
#   hello anchor (wrk, no script)                                   -> ceiling for a cheap request
#   disk anchor: 4 KB append + fdatasync for 3 s on the data dirs' filesystem (fsync_lat.c)
#   node A, --sync always: RSS empty, seed INSTANCES, 4 full fetches, RSS; renew wrk (CONNECTIONS,
#                          then WIDE_CONNECTIONS); fetch wrk
#   node B, --sync none:   seed INSTANCES; renew wrk
#   node C, --sync always: register wrk (new unique instances)
#   etcd anchor (when Debian's etcd-server is installed): one member, fsync as shipped, v3 put of new
#                          keys through its JSON gateway (anchors/lua/etcd_put.lua, as 04_etcd.sh does)
# and, spread over the rounds, RESTARTS times: fresh node, seed INSTANCES, kill -9, timed restart
# (exec -> "listening" line, exec -> /readyz 200). Prints a markdown summary and writes it to bench/RESULTS.md.
# Then bench/fetch_vs_nginx.sh (same RUNS/DURATION; FETCH_VS_NGINX=0 skips it, ~4 min): the full fetch
# next to nginx serving the same gzip bytes, with and without 1,000 renewals/s, and the delta fetch at
# 10k and 100k instances; its section goes below the marker of bench/RESULTS.md.
#
# usage: bench/run_load.sh [OUT_DIR]     (raw wrk output, server logs and data dirs; default: a new
#                                         ${TMPDIR:-/tmp}/logbook-bench.XXXXXX, data dirs removed)
# Environment (defaults):
#   RUNS=3 DURATION=10s THREADS=2 CONNECTIONS=64   wrk settings (every wrk run uses --latency)
#   WIDE_CONNECTIONS=256   connections of the second durable renew figure (group commit vs in-flight;
#                          0 skips it)
#   SYNC_NONE=1 LOAD_FETCH=1   0 skips node B (renew --sync none) / the fetch wrk on node A (the fetch
#                          goals come from bench/fetch_vs_nginx.sh)
#   INSTANCES=10000 APPS=100 RESTARTS=5            registry size, restart samples
#   SEED_CONNECTIONS=4 SEED_DEPTH=32               seed_instances keep-alive connections / window
#   HELLO_PORT=18181  ANCHORS_DIR=../shared/bench/anchors (skipped when absent)
#   DATA_BASE=${TMPDIR:-/tmp}   where the nodes' data dirs live (its filesystem is the fsync cost)
#   RESULTS_FILE=bench/RESULTS.md ("-" writes nothing)   SKIP_BUILD=0   BUILD_DIR=build
# Tools: bash, wrk, curl, awk, cmake + a C/C++ compiler, libuv1-dev and node-llhttp for the anchor
# (all Debian packages). Bounded: every wrk and seed run has a timeout, every process started here
# is killed by PID when the script ends; ~4 min with the defaults on 2 cores.
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUNS="${RUNS:-3}"
DURATION="${DURATION:-10s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
WIDE_CONNECTIONS="${WIDE_CONNECTIONS:-256}"
INSTANCES="${INSTANCES:-10000}"
APPS="${APPS:-100}"
RESTARTS="${RESTARTS:-5}"
SYNC_NONE="${SYNC_NONE:-1}"
LOAD_FETCH="${LOAD_FETCH:-1}"
SEED_CONNECTIONS="${SEED_CONNECTIONS:-4}"
SEED_DEPTH="${SEED_DEPTH:-32}"
HELLO_PORT="${HELLO_PORT:-18181}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
RESULTS_FILE="${RESULTS_FILE:-$ROOT/bench/RESULTS.md}"
SKIP_BUILD="${SKIP_BUILD:-0}"
if [ -z "${ANCHORS_DIR:-}" ]; then
  for d in "$ROOT/../shared/bench/anchors" /work/shared/bench/anchors; do
    [ -d "$d" ] && { ANCHORS_DIR="$(cd "$d" && pwd -P)"; break; }
  done
fi
ANCHORS_DIR="${ANCHORS_DIR:-}"
# The command as given, with the settings that differ from the defaults in front.
COMMAND="bench/run_load.sh${1:+ $1}"
for v in RUNS DURATION THREADS CONNECTIONS WIDE_CONNECTIONS INSTANCES APPS RESTARTS SEED_CONNECTIONS SEED_DEPTH SYNC_NONE LOAD_FETCH; do
  [ -n "$(printenv "$v")" ] && COMMAND="$v=$(printenv "$v") $COMMAND"
done

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*"; }

for tool in wrk curl awk cmake; do command -v "$tool" >/dev/null || die "$tool is missing (apt-get install $tool)"; done
case "$DURATION" in *[0-9]s|*[0-9]) ;; *) die "DURATION must be in seconds (e.g. 10s)";; esac
DUR_S="${DURATION%s}"
WRK_TIMEOUT=$(( DUR_S + 60 ))

OUT="${1:-}"
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-bench.XXXXXX") || die "mktemp failed"; fi
mkdir -p "$OUT/raw" || die "cannot create $OUT"
OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${DATA_BASE:-${TMPDIR:-/tmp}}/logbook-bench-data.XXXXXX") || die "mktemp failed"
TSV="$OUT/measurements.tsv"
printf 'figure\trun\tmetric\tvalue\n' > "$TSV"
echo "output: $OUT   data dirs: $DATA_ROOT ($(findmnt -no FSTYPE,SOURCE -T "$DATA_ROOT" | xargs))"

# --- processes: every one started here is tracked and killed by PID at exit --------------------
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$DATA_ROOT"
  [ -n "${SLEEP_FIFO:-}" ] && rm -f "$SLEEP_FIFO"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A sleep without a fork (restart timing polls every few ms): read with a timeout on a FIFO that
# this shell holds open for writing, so it never delivers data nor EOF.
SLEEP_FIFO="$OUT/.sleep.fifo"; rm -f "$SLEEP_FIFO"; mkfifo "$SLEEP_FIFO" || die "mkfifo failed"
exec {SLEEP_FD}<>"$SLEEP_FIFO"
nap() { read -r -t "$1" -u "$SLEEP_FD" _ 2>/dev/null; return 0; }

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$TSV"; }
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # all threads
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# --- build --------------------------------------------------------------------------------------
BIN="$BUILD_DIR/logbook"; SEED="$BUILD_DIR/bench/seed_instances"
if [ "$SKIP_BUILD" != 1 ]; then
  log "building Release in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON > "$OUT/build.log" 2>&1 &&
    cmake --build "$BUILD_DIR" -j"$(nproc)" --target logbook seed_instances >> "$OUT/build.log" 2>&1 ||
    die "build failed, see $OUT/build.log"
fi
[ -x "$BIN" ] && [ -x "$SEED" ] || die "missing $BIN or $SEED"
grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$BUILD_DIR/CMakeCache.txt" || die "$BUILD_DIR is not a Release build"

HELLO=""
if [ -n "$ANCHORS_DIR" ] && [ -f "$ANCHORS_DIR/src/hello_uv.c" ]; then
  LLHTTP_SRC=/usr/share/llhttp; LLHTTP_INC=/usr/share/include/llhttp   # Debian's node-llhttp
  if [ -f "$LLHTTP_SRC/llhttp.c" ] && [ -f "$LLHTTP_INC/llhttp.h" ]; then
    mkdir -p "$BUILD_DIR/bench"
    cc -O2 -Wall -o "$BUILD_DIR/bench/hello_uv" "$ANCHORS_DIR/src/hello_uv.c" \
      "$LLHTTP_SRC"/{api,http,llhttp}.c -I"$LLHTTP_INC" -luv >> "$OUT/build.log" 2>&1 &&
      HELLO="$BUILD_DIR/bench/hello_uv" || echo "warning: building the hello anchor failed (see $OUT/build.log); no anchor"
  else
    echo "warning: llhttp sources missing (apt-get install node-llhttp libuv1-dev); no anchor"
  fi
else
  echo "warning: no anchors directory (ANCHORS_DIR); running without the hello anchor"
fi
# The disk anchor: 4 KB append + fdatasync latency (the sync rounds/s group commit shares), measured
# on the data dirs' filesystem in every round, because durable figures follow the disk, not the CPU.
FSYNC=""
if [ -n "$ANCHORS_DIR" ] && [ -f "$ANCHORS_DIR/src/fsync_lat.c" ]; then
  mkdir -p "$BUILD_DIR/bench"
  cc -O2 -Wall -o "$BUILD_DIR/bench/fsync_lat" "$ANCHORS_DIR/src/fsync_lat.c" >> "$OUT/build.log" 2>&1 &&
    FSYNC="$BUILD_DIR/bench/fsync_lat" || echo "warning: building the fsync anchor failed; no disk anchor"
fi
# The register anchor: one etcd member (apt-get install etcd-server), as ../shared/bench/anchors/04_etcd.sh
ETCD_BIN=""
if command -v etcd >/dev/null && [ -n "$ANCHORS_DIR" ] && [ -f "$ANCHORS_DIR/lua/etcd_put.lua" ]; then
  ETCD_BIN=$(command -v etcd)
else
  echo "note: no etcd (apt-get install etcd-server) or no anchors/lua/etcd_put.lua; no register anchor"
fi
# WAL syncs per wrk run, counted by perf (syscall tracepoints; counting only, no sampling)
PERF_SYNCS=0
if command -v perf >/dev/null && perf stat -x, -e syscalls:sys_enter_fdatasync -- true >/dev/null 2>&1; then
  PERF_SYNCS=1
else
  echo "note: perf cannot count syscalls here (apt-get install linux-perf; needs root); no events/sync figure"
fi

# --- servers ------------------------------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_status PORT PATH: the status code of a GET, without forking (used while timing restarts)
http_status() {
  local status=000 line
  # The braces scope 2>/dev/null to the open: on exec itself it would silence the whole script.
  if { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd" 2>/dev/null &&
      read -r -t 2 line <&"$fd" && status=$(echo "${line}" | { read -r _ s _; echo "${s:-000}"; })
    exec {fd}>&-
  fi
  echo "$status"
}

# start_node NAME SYNC [PORT]: starts a node on a fresh data dir (PORT 0: any free port). Sets
# NODE_PID, NODE_PORT, NODE_DATA, NODE_LOG. Each stdout line is stamped with $EPOCHREALTIME when read.
start_node() {
  local name="$1" sync="$2" port="${3:-0}"
  NODE_DATA="$DATA_ROOT/$name"; NODE_LOG="$OUT/raw/$name.log"
  rm -rf "$NODE_DATA"
  launch_node "$sync" "$port" || return 1
}
# launch_node SYNC PORT: starts on the existing NODE_DATA, waits for the listening line.
launch_node() {
  local sync="$1" port="$2" i line
  NODE_T0=$EPOCHREALTIME
  "$BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$NODE_DATA" --sync "$sync" \
    > >(while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >> "$NODE_LOG") 2>> "$NODE_LOG.err" &
  NODE_PID=$!; PIDS+=("$NODE_PID")
  for i in $(seq 1 3000); do
    line=$(grep -m1 'logbook listening on' "$NODE_LOG" 2>/dev/null) && break
    kill -0 "$NODE_PID" 2>/dev/null || { echo "node exited: $(tail -n 3 "$NODE_LOG.err")" >&2; return 1; }
    nap 0.01
  done
  [ -n "$line" ] || { echo "node never printed its listening line" >&2; return 1; }
  NODE_LINE="$line"
  NODE_PORT=$(echo "$line" | sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\).*|\1|p')
  [ -n "$NODE_PORT" ] || { echo "no port in: $line" >&2; return 1; }
}
stop_node() { # SIGTERM, then SIGKILL after 20 s; removes the data dir
  local pid="$1" i
  kill "$pid" 2>/dev/null
  for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; nap 0.1; done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  rm -rf "$NODE_DATA"
}

seed() { # seed PORT FIGURE RUN: registers INSTANCES instances; records the seed rate
  local out
  out=$(timeout 300 "$SEED" --host 127.0.0.1 --port "$1" --instances "$INSTANCES" --apps "$APPS" \
        --connections "$SEED_CONNECTIONS" --depth "$SEED_DEPTH") || die "seeding failed: $out"
  echo "  seed: $out"
  record "$2" "$3" seed_rate "$(echo "$out" | sed -n 's/.*rate=\([0-9]*\).*/\1/p')"
}

# --- wrk ----------------------------------------------------------------------------------------
# wrk_ms VALUE: wrk latency (250.00us, 1.20ms, 1.01s) in ms
wrk_ms() { echo "$1" | awk '{v=$1+0; if ($1 ~ /us$/) v/=1000; else if ($1 ~ /ms$/) v=v; else if ($1 ~ /m$/) v*=60000; else if ($1 ~ /s$/) v*=1000; printf "%.3f", v}'; }

# run_wrk FIGURE RUN PID URL [-s script -- args]: one wrk run; records rps, p50/p99 (ms), errors,
# requests, server CPU per request (µs, utime+stime of PID and all its threads) and utilisation.
run_wrk() {
  local figure="$1" run="$2" pid="$3" url="$4"; shift 4
  local raw="$OUT/raw/$figure.run$run.txt" c0 c1 t0 t1
  local perf_pid="" conns="${WRK_CONNECTIONS:-$CONNECTIONS}"
  if [ "$PERF_SYNCS" = 1 ] && [ "$pid" != "$HELLO_PID" ]; then
    perf stat -x, -o "$raw.syncs" -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -p "$pid" \
      > /dev/null 2>&1 & perf_pid=$!; PIDS+=("$perf_pid")
  fi
  c0=$(cpu_ticks "$pid"); t0=$EPOCHREALTIME
  timeout "$WRK_TIMEOUT" wrk --latency -t"$THREADS" -c"$conns" -d"$DURATION" "$url" "$@" > "$raw" 2>&1
  c1=$(cpu_ticks "$pid"); t1=$EPOCHREALTIME
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null; fi
  local rps p50 p99 non2xx sockerr requests
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$raw")
  p50=$(wrk_ms "$(awk '$1 == "50%" {print $2}' "$raw")")
  p99=$(wrk_ms "$(awk '$1 == "99%" {print $2}' "$raw")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$raw"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$raw"); sockerr=${sockerr:-0}
  requests=$(awk '/requests in/ {print $1; exit}' "$raw")
  [ -n "$rps" ] && [ -n "$requests" ] || { echo "  [$figure run $run] wrk failed: $(tail -n 3 "$raw")"; return 1; }
  record "$figure" "$run" rps "$rps"
  record "$figure" "$run" p50_ms "$p50"
  record "$figure" "$run" p99_ms "$p99"
  record "$figure" "$run" non2xx "$non2xx"
  record "$figure" "$run" sockerr "$sockerr"
  local cpu_us util
  cpu_us=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v n="$requests" 'BEGIN {printf "%.2f", (b - a) / t * 1e6 / n}')
  util=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" -v s0="$t0" -v s1="$t1" 'BEGIN {printf "%.0f", 100 * (b - a) / t / (s1 - s0)}')
  record "$figure" "$run" cpu_us_per_req "$cpu_us"
  record "$figure" "$run" srv_cpu_pct "$util"
  local bytes; bytes=$(sed -n 's/^LB_RESULT .* bytes=\([0-9]*\).*/\1/p' "$raw")
  [ -n "$bytes" ] && record "$figure" "$run" bytes_per_reply "$(( bytes / requests ))"
  local syncs="" sync_note=""
  if [ -n "$perf_pid" ] && [ -f "$raw.syncs" ]; then
    syncs=$(awk -F, '$3 ~ /sys_enter_f(data)?sync/ && $1 ~ /^[0-9]+$/ {s += $1} END {print s + 0}' "$raw.syncs")
    record "$figure" "$run" syncs_per_s "$(awk -v n="$syncs" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')"
    if [ "$syncs" -gt 0 ]; then
      record "$figure" "$run" requests_per_sync "$(awk -v r="$requests" -v n="$syncs" 'BEGIN {printf "%.1f", r / n}')"
      sync_note="  $syncs syncs ($(awk -v r="$requests" -v n="$syncs" 'BEGIN {printf "%.1f", r / n}') req/sync)"
    fi
  fi
  printf '  [%s run %s] %s req/s  p50 %s ms  p99 %s ms  cpu %s us/req (%s%% of a core)  non2xx %s  sockerr %s%s\n' \
    "$figure" "$run" "$rps" "$p50" "$p99" "$cpu_us" "$util" "$non2xx" "$sockerr" "$sync_note"
  nap 1
}

full_fetches() { # PORT [RUN]: JSON and XML, plain and gzip; with RUN, records each body's size
  local accept enc size
  for accept in application/json application/xml; do
    for enc in identity gzip; do
      size=$(curl -s -m 30 -o /dev/null -w '%{size_download}' -H "Accept: $accept" \
             -H "Accept-Encoding: $enc" "http://127.0.0.1:$1/eureka/apps") || die "full fetch failed"
      [ -n "${2:-}" ] && record fetch_sizes "$2" "${accept#application/}_${enc}_bytes" "$size"
    done
  done
  return 0
}

# --- the hello anchor: one server for the whole script ------------------------------------------
HELLO_PID=""
if [ -n "$HELLO" ]; then
  while port_open "$HELLO_PORT"; do HELLO_PORT=$((HELLO_PORT + 1)); done
  LIFE=$(( RUNS * (DUR_S + 2) * 8 + RESTARTS * 60 + 300 ))   # exits by itself after LIFE s
  "$HELLO" "$HELLO_PORT" "$LIFE" 2>> "$OUT/raw/hello_uv.log" & HELLO_PID=$!; PIDS+=("$HELLO_PID")
  for i in $(seq 1 100); do port_open "$HELLO_PORT" && break; nap 0.1; done
  port_open "$HELLO_PORT" || die "the hello anchor did not start"
fi

# --- restart time with INSTANCES registered ---------------------------------------------------
# restart_sample R: fresh node, INSTANCES durable registrations, kill -9, timed restart on that dir
restart_sample() {
  local r="$1" port i line listen_ms ready_ms replayed recovery_ms T_READY T_LISTEN
  start_node "restart$r" always || die "restart node did not start"
  seed "$NODE_PORT" seed_restart "$r"
  port="$NODE_PORT"
  kill -9 "$NODE_PID"; wait "$NODE_PID" 2>/dev/null
  : > "$NODE_LOG"
  NODE_T0=$EPOCHREALTIME
  "$BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$NODE_DATA" --sync always \
    > >(while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done >> "$NODE_LOG") 2>> "$NODE_LOG.err" &
  NODE_PID=$!; PIDS+=("$NODE_PID")
  T_READY=""
  for i in $(seq 1 15000); do   # up to ~30 s, polling /readyz every 2 ms without forking
    if [ "$(http_status "$port" /readyz)" = 200 ]; then T_READY=$EPOCHREALTIME; break; fi
    kill -0 "$NODE_PID" 2>/dev/null || die "restarted node exited: $(tail -n 3 "$NODE_LOG.err")"
    nap 0.002
  done
  [ -n "$T_READY" ] || die "restarted node never became ready"
  for i in $(seq 1 500); do grep -q 'logbook listening on' "$NODE_LOG" && break; nap 0.01; done
  line=$(grep -m1 'logbook listening on' "$NODE_LOG") || die "no listening line after restart"
  T_LISTEN=${line%% *}
  listen_ms=$(awk -v a="$NODE_T0" -v b="$T_LISTEN" 'BEGIN {printf "%.1f", (b - a) * 1000}')
  ready_ms=$(awk -v a="$NODE_T0" -v b="$T_READY" 'BEGIN {printf "%.1f", (b - a) * 1000}')
  replayed=$(echo "$line" | sed -n 's/.*recovered_events=\([0-9]*\).*/\1/p')
  recovery_ms=$(echo "$line" | sed -n 's/.*recovery_ms=\([0-9]*\).*/\1/p')
  record restart "$r" listen_ms "$listen_ms"
  record restart "$r" ready_ms "$ready_ms"
  record restart "$r" replayed_events "$replayed"
  record restart "$r" replay_ms "$recovery_ms"
  record restart "$r" open_ms "$(awk -v a="$listen_ms" -v b="$recovery_ms" 'BEGIN {printf "%.1f", a - b}')"
  echo "  [restart $r] listening after $listen_ms ms, /readyz 200 after $ready_ms ms; replayed $replayed events in $recovery_ms ms (node's own count)"
  stop_node "$NODE_PID"
}

# etcd_put_sample RUN: a fresh etcd member, v3 puts of new keys with the same wrk settings, stopped
etcd_put_sample() {
  local run="$1" port=12379 i pid dir="$DATA_ROOT/etcd_run$1"
  while port_open "$port" || port_open $((port + 1)); do port=$((port + 2)); done
  "$ETCD_BIN" --name lb --data-dir "$dir" --listen-client-urls "http://127.0.0.1:$port" \
    --advertise-client-urls "http://127.0.0.1:$port" --listen-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
    --initial-cluster "lb=http://127.0.0.1:$((port + 1))" --log-level warn >> "$OUT/raw/etcd.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for i in $(seq 1 1000); do port_open "$port" && break; nap 0.01; done
  port_open "$port" || { echo "  [etcd run $run] did not start: $(tail -n 2 "$OUT/raw/etcd.log")"; return 0; }
  curl -s -m 10 -X POST "http://127.0.0.1:$port/v3/kv/range" -d '{"key":"AA=="}' > /dev/null  # elected, serving
  run_wrk etcd_put "$run" "$pid" "http://127.0.0.1:$port" -s "$ANCHORS_DIR/lua/etcd_put.lua" -- "$ANCHORS_DIR/lua"
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"
}

# --- interleaved rounds -------------------------------------------------------------------------
START_S=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$RUNS"); do
  log "round $run of $RUNS"
  if [ -n "$HELLO_PID" ]; then
    run_wrk hello "$run" "$HELLO_PID" "http://127.0.0.1:$HELLO_PORT/"
  fi

  if [ -n "$FSYNC" ]; then
    line=$(timeout 60 "$FSYNC" "$DATA_ROOT/fsync_probe.dat" 3 4096 append 2>&1); rm -f "$DATA_ROOT/fsync_probe.dat"
    for k in ops_per_s p50_us p99_us; do
      v=$(echo "$line" | tr ' ' '\n' | sed -n "s/^$k=//p"); [ -n "$v" ] && record fsync "$run" "$k" "$v"
    done
    echo "  [fsync run $run] $line"
  fi

  # A: durable node: RSS, renew, fetch
  start_node "a_always_run$run" always || die "node A did not start"
  full_fetches "$NODE_PORT"; RSS0=$(rss_kib "$NODE_PID")
  seed "$NODE_PORT" seed_always "$run"
  record rss "$run" seeded_nofetch_kib "$(rss_kib "$NODE_PID")"
  full_fetches "$NODE_PORT" "$run"; RSS1=$(rss_kib "$NODE_PID")
  record rss "$run" empty_kib "$RSS0"
  record rss "$run" seeded_kib "$RSS1"
  record rss "$run" per_10k_mib "$(awk -v a="$RSS0" -v b="$RSS1" -v n="$INSTANCES" 'BEGIN {printf "%.1f", (b - a) / 1024 * 10000 / n}')"
  echo "  [rss run $run] empty ${RSS0} KiB, with $INSTANCES instances ${RSS1} KiB"
  run_wrk renew_always "$run" "$NODE_PID" "http://127.0.0.1:$NODE_PORT" \
    -s "$ROOT/bench/load/renew.lua" -- "$INSTANCES" "$APPS"
  record rss "$run" after_renew_kib "$(rss_kib "$NODE_PID")"
  if [ "$WIDE_CONNECTIONS" -gt 0 ]; then
    WRK_CONNECTIONS="$WIDE_CONNECTIONS" run_wrk renew_always_wide "$run" "$NODE_PID" "http://127.0.0.1:$NODE_PORT" \
      -s "$ROOT/bench/load/renew.lua" -- "$INSTANCES" "$APPS"
  fi
  if [ "$LOAD_FETCH" = 1 ]; then
    run_wrk fetch_json_gzip "$run" "$NODE_PID" "http://127.0.0.1:$NODE_PORT" -s "$ROOT/bench/load/fetch.lua"
  fi
  stop_node "$NODE_PID"

  # B: renew without fsync
  if [ "$SYNC_NONE" = 1 ]; then
    start_node "b_none_run$run" none || die "node B did not start"
    seed "$NODE_PORT" seed_none "$run"
    run_wrk renew_none "$run" "$NODE_PID" "http://127.0.0.1:$NODE_PORT" \
      -s "$ROOT/bench/load/renew.lua" -- "$INSTANCES" "$APPS"
    stop_node "$NODE_PID"
  fi

  # C: durable registrations of new instances
  start_node "c_register_run$run" always || die "node C did not start"
  run_wrk register_always "$run" "$NODE_PID" "http://127.0.0.1:$NODE_PORT" \
    -s "$ROOT/bench/load/register.lua" -- "r$run" "$APPS"
  stop_node "$NODE_PID"
  [ -n "$ETCD_BIN" ] && etcd_put_sample "$run"

  # restarts, spread over the rounds so one burst of load elsewhere does not take them all
  for (( r = run; r <= RESTARTS; r += RUNS )); do restart_sample "$r"; done
done

ELAPSED=$(( SECONDS - START_S ))

# --- summary --------------------------------------------------------------------------------------
# stat FIGURE METRIC: "median (min–max)" over runs; med FIGURE METRIC: the median alone
values() { awk -F'\t' -v f="$1" -v m="$2" '$1 == f && $3 == m {print $4}' "$TSV" | sort -g; }
med() { values "$1" "$2" | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
fmt() { # fmt NUMBER DECIMALS: thousands separators for big numbers
  awk -v v="$1" -v d="$2" 'BEGIN {if (v == "") {print "–"; exit} s = sprintf("%." d "f", v); n = split(s, p, "."); i = p[1]; o = "";
    neg = (substr(i, 1, 1) == "-"); if (neg) i = substr(i, 2);
    while (length(i) > 3) {o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3)}
    print (neg ? "-" : "") i o (n > 1 ? "." p[2] : "")}'
}
stat() { # stat FIGURE METRIC DECIMALS
  local m lo hi; m=$(med "$1" "$2"); [ -n "$m" ] || { echo "–"; return; }
  lo=$(values "$1" "$2" | head -1); hi=$(values "$1" "$2" | tail -1)
  if [ "$(values "$1" "$2" | wc -l)" -gt 1 ]; then echo "**$(fmt "$m" "$3")** ($(fmt "$lo" "$3")–$(fmt "$hi" "$3"))"
  else echo "**$(fmt "$m" "$3")**"; fi
}
total() { values "$1" "$2" | awk '{s += $1} END {print s + 0}'; }
ratio() { # ratio FIGURE: median over rounds of rps(FIGURE)/rps(hello) in the same round, and range
  [ -n "$HELLO_PID" ] || { echo "–"; return; }
  awk -F'\t' -v f="$1" '$3 == "rps" && $1 == "hello" {h[$2] = $4} $3 == "rps" && $1 == f {x[$2] = $4}
    END {n = 0; for (r in x) if (r in h && h[r] > 0) v[++n] = x[r] / h[r];
         if (n == 0) {print "–"; exit}
         for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
         m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
         if (n > 1) printf "%.2f (%.2f–%.2f)", m, v[1], v[n]; else printf "%.2f", m}' "$TSV"
}
ratio2() { # ratio2 FIG1 MET1 FIG2 MET2: median (min–max) over rounds of FIG1.MET1 / FIG2.MET2, same round
  awk -F'\t' -v f1="$1" -v m1="$2" -v f2="$3" -v m2="$4" '$1 == f1 && $3 == m1 {a[$2] = $4} $1 == f2 && $3 == m2 {b[$2] = $4}
    END {n = 0; for (r in a) if (r in b && b[r] > 0) v[++n] = a[r] / b[r];
         if (n == 0) {print "–"; exit}
         for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
         m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2;
         if (n > 1) printf "**%.2f** (%.2f–%.2f)", m, v[1], v[n]; else printf "**%.2f**", m}' "$TSV"
}
cpu_ratio() { # median CPU/request of FIGURE over the hello anchor's
  local a b; a=$(med "$1" cpu_us_per_req); b=$(med hello cpu_us_per_req)
  [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN {if (b > 0) printf "%.1f×", a / b}' || echo "–"
}
errors() { echo "$(total "$1" non2xx) / $(total "$1" sockerr)"; }

CPU_MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM_GIB=$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)
FS=$(findmnt -no FSTYPE,SOURCE -T "$DATA_ROOT" | xargs)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git -C "$ROOT" status --porcelain -- . ':!bench/RESULTS.md' 2>/dev/null | grep -q . && echo "+uncommitted" || true)
WRK_FLAGS="wrk --latency -t$THREADS -c$CONNECTIONS -d$DURATION"

summary() {
cat <<EOF
# Logbook load benchmarks

Written by \`bench/run_load.sh\` — do not edit by hand; rerun it. Each figure: **median** (min–max)
over $RUNS interleaved rounds (the anchors, then the Logbook figures, in every round). Ratios are the
median over rounds of Logbook/anchor measured in the same round. CPU/request = utime+stime of the
server process (all threads, \`/proc/PID/stat\`) during the wrk run ÷ requests. wrk shares the 2
cores with the server and other jobs may share the machine: **expect ±10–15 % drift or worse**;
compare ratios, not absolute figures (\`../shared/bench/ANCHORS.md\`).

- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT$DIRTY; total run time ${ELAPSED} s
- Machine: $(nproc) × $CPU_MODEL, ${MEM_GIB} GiB RAM, kernel $(uname -r); data dirs on $FS;
  load average (1, 5, 15 min) at the start: $LOAD_START, at the end: $LOAD
- Command: \`$COMMAND\`
- wrk: \`$WRK_FLAGS\`, keep-alive, scripts in \`bench/load/\`; registry: $INSTANCES instances in
  $APPS apps registered by \`build/bench/seed_instances\` ($SEED_CONNECTIONS connections, $SEED_DEPTH pipelined)
- HTTP anchor: $( [ -n "$HELLO_PID" ] && echo "libuv+llhttp hello (\`anchors/src/hello_uv.c\`, 1 thread, 1 KB reply), \`$WRK_FLAGS http://127.0.0.1:$HELLO_PORT/\`" || echo "none (anchors directory not found)")
- Disk anchor: $( [ -n "$FSYNC" ] && echo "\`anchors/src/fsync_lat.c FILE 3 4096 append\` (pwrite 4 KB + fdatasync) in the data dirs' directory" || echo "none")

## Throughput

| figure | req/s | ratio to anchor | p50 ms | p99 ms | server CPU µs/req | CPU vs anchor | server CPU % of 1 core | non-2xx / socket errors |
|---|---|---|---|---|---|---|---|---|
| hello anchor (same rounds) | $(stat hello rps 0) | 1 | $(stat hello p50_ms 2) | $(stat hello p99_ms 2) | $(stat hello cpu_us_per_req 2) | 1× | $(stat hello srv_cpu_pct 0) | $(errors hello) |
| **renew, durable** (\`--sync always\`, $INSTANCES instances, $CONNECTIONS connections) | $(stat renew_always rps 0) | $(ratio renew_always) | $(stat renew_always p50_ms 2) | $(stat renew_always p99_ms 2) | $(stat renew_always cpu_us_per_req 2) | $(cpu_ratio renew_always) | $(stat renew_always srv_cpu_pct 0) | $(errors renew_always) |
| renew, durable, $WIDE_CONNECTIONS connections | $(stat renew_always_wide rps 0) | $(ratio renew_always_wide) | $(stat renew_always_wide p50_ms 2) | $(stat renew_always_wide p99_ms 2) | $(stat renew_always_wide cpu_us_per_req 2) | $(cpu_ratio renew_always_wide) | $(stat renew_always_wide srv_cpu_pct 0) | $(errors renew_always_wide) |
| renew, \`--sync none\` | $(stat renew_none rps 0) | $(ratio renew_none) | $(stat renew_none p50_ms 2) | $(stat renew_none p99_ms 2) | $(stat renew_none cpu_us_per_req 2) | $(cpu_ratio renew_none) | $(stat renew_none srv_cpu_pct 0) | $(errors renew_none) |
| register new instances, durable | $(stat register_always rps 0) | $(ratio register_always) | $(stat register_always p50_ms 2) | $(stat register_always p99_ms 2) | $(stat register_always cpu_us_per_req 2) | $(cpu_ratio register_always) | $(stat register_always srv_cpu_pct 0) | $(errors register_always) |
| etcd v3 put of new keys, one member (register anchor, same rounds) | $(stat etcd_put rps 0) | $(ratio etcd_put) | $(stat etcd_put p50_ms 2) | $(stat etcd_put p99_ms 2) | $(stat etcd_put cpu_us_per_req 2) | $(cpu_ratio etcd_put) | $(stat etcd_put srv_cpu_pct 0) | $(errors etcd_put) |
| full fetch \`GET /eureka/apps\`, JSON gzip, $INSTANCES instances | $(stat fetch_json_gzip rps 0) | n/a¹ | $(stat fetch_json_gzip p50_ms 2) | $(stat fetch_json_gzip p99_ms 2) | $(stat fetch_json_gzip cpu_us_per_req 2) | $(cpu_ratio fetch_json_gzip) | $(stat fetch_json_gzip srv_cpu_pct 0) | $(errors fetch_json_gzip) |

Durable registrations ÷ etcd puts (same round; goal ≥ 4): $(ratio2 register_always rps etcd_put rps)$( [ -n "$ETCD_BIN" ] || echo " (no etcd in this run)"); server CPU per
registration ÷ etcd's CPU per put: $(ratio2 register_always cpu_us_per_req etcd_put cpu_us_per_req); etcd puts per WAL sync: $(stat etcd_put requests_per_sync 1).

¹ Not a cheap request: its anchor is nginx serving the same gzip bytes, measured in the section
"Full fetch side by side with nginx" below (\`bench/fetch_vs_nginx.sh\`, run at the end of this script).
Full fetch reply: $(stat fetch_json_gzip bytes_per_reply 0) bytes on the wire.

## Group commit and the disk

| | median (min–max) |
|---|---|
| disk anchor: 4 KB append + fdatasync, ops/s | $(stat fsync ops_per_s 0) |
| disk anchor: fdatasync p50 / p99 µs | $(stat fsync p50_us 0) / $(stat fsync p99_us 0) |
| **durable renews/s ÷ disk anchor syncs/s** (same round: the gain over one sync per write) | $(ratio2 renew_always rps fsync ops_per_s) |
| durable renews/s ÷ \`--sync none\` renews/s (same round) | $(ratio2 renew_always rps renew_none rps) |
| durable renew, $CONNECTIONS connections: WAL syncs/s | $(stat renew_always syncs_per_s 0) |
| durable renew, $CONNECTIONS connections: renews per WAL sync | $(stat renew_always requests_per_sync 1) |
| durable renew, $WIDE_CONNECTIONS connections: WAL syncs/s | $(stat renew_always_wide syncs_per_s 0) |
| durable renew, $WIDE_CONNECTIONS connections: renews per WAL sync | $(stat renew_always_wide requests_per_sync 1) |
| durable register: registrations per WAL sync | $(stat register_always requests_per_sync 1) |
| seeding $INSTANCES durable registrations ($SEED_CONNECTIONS × $SEED_DEPTH in flight), per s | $(stat seed_always seed_rate 0) |

WAL syncs are the server's fdatasync/fsync calls during the wrk run, counted with
\`perf stat -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -p PID\`$( [ "$PERF_SYNCS" = 1 ] || echo " (not available in this run)").
One sync per write would cap the log at the disk anchor's ops/s; group commit multiplies that by
the requests per sync: durable req/s = requests per sync × syncs/s. With one sync in flight, a
request that arrives during a sync waits for it and then for its own, so a sync carries at most
about C/2 of C connections' requests, fewer while the loop thread or wrk wait for a CPU; more
connections raise the batch until the CPU is the limit (the \`--sync none\` row). The disk anchor
and the WAL syncs/s move a lot between rounds on this machine (other jobs share the disk).

## Restart with $INSTANCES registered instances (\`kill -9\`, then restart on the same data dir)

| | median (min–max) over $RESTARTS restarts |
|---|---|
| exec → "listening" line | $(stat restart listen_ms 1) ms |
| exec → \`/readyz\` 200 | $(stat restart ready_ms 1) ms |
| replay (the node's \`recovery_ms\`) | $(stat restart replay_ms 0) ms |
| the rest: process start, RocksDB open and WAL recovery, listen | $(stat restart open_ms 1) ms |
| events replayed | $(stat restart replayed_events 0) |

Each sample: a fresh data dir, $INSTANCES durable registrations, \`kill -9\`, then a timed start
(RocksDB recovers its WAL, then Logbook replays the log into the registry). /readyz is polled every
2 ms over a fresh connection.

## Memory

| | median (min–max) over $RUNS rounds |
|---|---|
| **RSS per 10,000 instances** | $(stat rss per_10k_mib 1) MiB |
| RSS of an empty node | $(stat rss empty_kib 0) KiB |
| RSS with $INSTANCES instances, before the fetches | $(stat rss seeded_nofetch_kib 0) KiB |
| RSS with $INSTANCES instances | $(stat rss seeded_kib 0) KiB |
| RSS after the durable renew run | $(stat rss after_renew_kib 0) KiB |

VmRSS (\`/proc/PID/status\`) after one JSON and one XML full fetch, each plain and gzip, minus the
same on the node before seeding. It includes the registry, RocksDB's memtable holding the
registrations (not flushed to SST files at this size), the response cache, which keeps every
encoding fetched for the current registry version (JSON $(stat fetch_sizes json_identity_bytes 0) B,
gzip $(stat fetch_sizes json_gzip_bytes 0) B; XML $(stat fetch_sizes xml_identity_bytes 0) B, gzip
$(stat fetch_sizes xml_gzip_bytes 0) B; replies share these bodies, no copies), the JSON fragment of
every instance (net/eureka/fragment_cache.h) and heap that glibc keeps after building them. The renew run grows the memtable (one event per
renewal) until RocksDB flushes it.

Raw wrk output, server logs and \`measurements.tsv\` (every run) are in the output directory
printed at the start (not kept in the repo).
EOF
}

summary | tee "$OUT/RESULTS.md"
# The sections of the other benchmarks (restart_scale.sh, snapshot_stall.sh) below their marker stay,
# and so does the goal table above this summary (bench/goal_table.py, written by bench/run_all.sh).
if [ "$RESULTS_FILE" != "-" ]; then
  { [ -f "$RESULTS_FILE" ] && sed -n '1,/^<!-- goal-table:end -->/p' "$RESULTS_FILE" | grep -q 'goal-table:end' &&
      sed -n '1,/^<!-- goal-table:end -->/p' "$RESULTS_FILE" && echo
    cat "$OUT/RESULTS.md"; [ -f "$RESULTS_FILE" ] && sed -n '/^<!-- Sections below: /,$p' "$RESULTS_FILE" | sed '1s/^/\n/'; } > "$OUT/RESULTS.merged.md" &&
    cp "$OUT/RESULTS.merged.md" "$RESULTS_FILE" && echo "written: $RESULTS_FILE"
fi

# The fetch goals side by side with nginx on the same bytes, and the delta at two sizes: a sibling
# script with its own section below the marker (FETCH_VS_NGINX=0 skips it).
if [ "${FETCH_VS_NGINX:-1}" = 1 ]; then
  log "full fetch side by side with nginx (bench/fetch_vs_nginx.sh)"
  RUNS="$RUNS" DURATION="$DURATION" THREADS="$THREADS" CONNECTIONS="$CONNECTIONS" \
    SKIP_BUILD="$SKIP_BUILD" BUILD_DIR="$BUILD_DIR" RESULTS_FILE="$RESULTS_FILE" \
    "$ROOT/bench/fetch_vs_nginx.sh" "$OUT/fetch_vs_nginx" || echo "warning: bench/fetch_vs_nginx.sh failed"
fi
