# Helpers shared by bench/restart_scale.sh and bench/snapshot_stall.sh (sourced, not run).
# Expects ROOT, OUT (raw output dir) and DATA_ROOT set; defines BIN, MAKE_DATADIR, PIDS, nap,
# http_status, http_get, start_on, stop_pid, rss_kib, median, status_field.

BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
BIN="$BUILD_DIR/logbook"
MAKE_DATADIR="$BUILD_DIR/bench/make_datadir"
SKIP_BUILD="${SKIP_BUILD:-0}"

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*"; }

build_tools() {
  if [ "$SKIP_BUILD" != 1 ]; then
    log "building Release in $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON > "$OUT/build.log" 2>&1 &&
      cmake --build "$BUILD_DIR" -j"$(nproc)" --target logbook make_datadir >> "$OUT/build.log" 2>&1 ||
      die "build failed, see $OUT/build.log"
  fi
  [ -x "$BIN" ] && [ -x "$MAKE_DATADIR" ] || die "missing $BIN or $MAKE_DATADIR"
  grep -q 'CMAKE_BUILD_TYPE:STRING=Release' "$BUILD_DIR/CMakeCache.txt" || die "$BUILD_DIR is not a Release build"
}

# Every process started here is killed by PID when the script ends.
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  [ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$DATA_ROOT"
  [ -n "${SLEEP_FIFO:-}" ] && rm -f "$SLEEP_FIFO"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A sleep without a fork (timing loops poll every few ms): read with a timeout on a FIFO this
# shell holds open for writing, so it never delivers data nor EOF.
SLEEP_FIFO="$OUT/.sleep.fifo"; rm -f "$SLEEP_FIFO"; mkfifo "$SLEEP_FIFO" || die "mkfifo failed"
exec {SLEEP_FD}<>"$SLEEP_FIFO"
nap() { read -r -t "$1" -u "$SLEEP_FD" _ 2>/dev/null; return 0; }

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# http_status PORT PATH: the status code of a GET, without forking.
http_status() {
  local status=000 line
  if { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd" 2>/dev/null &&
      read -r -t 2 line <&"$fd" && status=$(echo "${line}" | { read -r _ s _; echo "${s:-000}"; })
    exec {fd}>&-
  fi
  echo "$status"
}
http_get() { curl -s --max-time 10 "http://127.0.0.1:$1$2"; }

# status_field PORT SECTION KEY: a number from /logbook/v1/status ("loop" "max_stall_ms").
status_field() {
  http_get "$1" /logbook/v1/status | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d.get(sys.argv[1], {}).get(sys.argv[2], ""))' "$2" "$3"
}

# start_on DIR LOG [serve args...]: starts a node on DIR (port 0), sets NODE_PID, NODE_T0 (exec
# time, $EPOCHREALTIME) and NODE_LOG; does not wait.
start_on() {
  local dir="$1"; NODE_LOG="$2"; shift 2
  NODE_T0=$EPOCHREALTIME
  "$BIN" serve --host 127.0.0.1 --port "${START_PORT:-0}" --data-dir "$dir" "$@" > "$NODE_LOG" 2> "$NODE_LOG.err" &
  NODE_PID=$!; PIDS+=("$NODE_PID")
}
# wait_listening: sets NODE_PORT from the listening line (up to 120 s).
wait_listening() {
  local i line=""
  for i in $(seq 1 60000); do
    line=$(grep -m1 'logbook listening on' "$NODE_LOG" 2>/dev/null) && break
    kill -0 "$NODE_PID" 2>/dev/null || die "node exited: $(tail -n 3 "$NODE_LOG.err")"
    nap 0.002
  done
  [ -n "$line" ] || die "node never printed its listening line"
  NODE_LINE="$line"
  NODE_PORT=$(echo "$line" | sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\).*|\1|p')
  [ -n "$NODE_PORT" ] || die "no port in: $line"
}
# free_port: a port nothing listens on now (the kernel's pick, released).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_ready: polls /readyz on NODE_PORT every 5 ms (a bash /dev/tcp request: no process per poll
# beyond a subshell, so the poller takes little CPU from the node it times); sets T_READY.
wait_ready() {
  local i
  T_READY=""
  for i in $(seq 1 60000); do
    if [ "$(http_status "$NODE_PORT" /readyz)" = 200 ]; then T_READY=$EPOCHREALTIME; break; fi
    kill -0 "$NODE_PID" 2>/dev/null || die "node exited: $(tail -n 3 "$NODE_LOG.err")"
    nap 0.005
  done
  [ -n "$T_READY" ] || die "node never became ready"
}
# stop_pid PID SIGNAL: sends SIGNAL, waits up to 60 s, then SIGKILL.
stop_pid() {
  local pid="$1" sig="$2" i
  kill -"$sig" "$pid" 2>/dev/null
  for i in $(seq 1 6000); do kill -0 "$pid" 2>/dev/null || break; nap 0.01; done
  kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return 0
}
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b - a) * 1000}'; }
# median of the arguments; "min–max" with ranges
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "n/a"; exit}; m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.10g", m}'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR==1{a=$1} {b=$1} END {printf "%s–%s", a, b}'; }
machine_line() {
  echo "$(nproc) × $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo | awk '{print $1, $2}'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r); data on $(findmnt -no FSTYPE,SOURCE -T "$DATA_ROOT" | xargs); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# write_section FILE HEADING TEXT: puts TEXT (a "## HEADING ..." section) in FILE below the marker
# that bench/run_load.sh preserves when it rewrites the file, replacing an older copy of it.
RESULTS_MARKER='<!-- Sections below: bench/restart_scale.sh and bench/snapshot_stall.sh (run_load.sh keeps them). -->'
write_section() {
  python3 - "$1" "$2" "$3" "$RESULTS_MARKER" <<'PY'
import sys
path, heading, section, marker = sys.argv[1], sys.argv[2], sys.argv[3].rstrip() + "\n", sys.argv[4]
try:
    text = open(path).read()
except FileNotFoundError:
    text = ""
if marker not in text:
    text = text.rstrip() + "\n\n" + marker + "\n"
start = text.find(heading, text.find(marker))
if start < 0:
    text = text.rstrip() + "\n\n" + section
else:
    end = text.find("\n## ", start + 1)
    text = text[:start] + section + ("\n" + text[end + 1:] if end >= 0 else "")
open(path, "w").write(text)
PY
  echo "written to $1"
}
