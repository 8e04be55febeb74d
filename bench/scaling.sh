#!/usr/bin/env bash
# Scaling curves: full-fetch latency and memory of one node at 1,000, 10,000 and 100,000
# instances (issue 6). For each size, a fresh node (`--sync none`: the seeding is not what is
# measured) on an empty data dir:
#   RSS empty -> seed N instances (build/bench/seed_instances, 50 per app) -> RSS seeded
#   -> first fetch of each encoding, JSON and XML, plain and gzip (each builds its document:
#      "cold") -> RSS warm (the caches hold all four)
#   -> one connection, one request at a time (wrk -c1, SINGLE s) of JSON gzip and JSON plain
#   -> wrk, CONNECTIONS connections, DURATION s, JSON gzip then JSON plain (p50 / p99 / req/s)
# and writes the "Scaling" section of bench/RESULTS.md (a table), bench/scaling.tsv (the data)
# and bench/scaling.png (gnuplot: latency and RSS per instance against the registry size).
# OUT_DIR/memtables.tsv: per size, the bytes RocksDB's memtables held when the node stopped (the
# "memory_usage" of the flushes a clean stop makes, from the data dir's RocksDB LOG): the log's
# share of the RSS, for bench/goal_table.py.
#
# usage: bench/scaling.sh [OUT_DIR]    (raw output; default: a new ${TMPDIR:-/tmp}/logbook-scaling.XXXXXX)
# Environment (defaults):
#   SIZES="1000 10000 100000"  DURATION=10 (s per wrk run)  CONNECTIONS=8  SINGLE=3 (s per -c1 run)
#   RESULTS_FILE=bench/RESULTS.md (the PNG and TSV go to its directory; "-": neither is written)
#   SKIP_BUILD=0  BUILD_DIR=build
# Tools: wrk, curl, gnuplot (Debian's gnuplot-nox), python3. ~2.5 min with the defaults.
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
SIZES="${SIZES:-1000 10000 100000}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-8}"
SINGLE="${SINGLE:-3}"
RESULTS_FILE="${RESULTS_FILE:-$ROOT/bench/RESULTS.md}"
COMMAND="bench/scaling.sh${1:+ $1}"
for v in SIZES DURATION CONNECTIONS SINGLE; do
  [ -n "$(printenv "$v")" ] && COMMAND="$v=\"$(printenv "$v")\" $COMMAND"
done

OUT="${1:-}"
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-scaling.XXXXXX") || exit 1; fi
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${DATA_BASE:-${TMPDIR:-/tmp}}/logbook-scaling-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
# shellcheck source=bench/results_section.sh
source "$ROOT/bench/results_section.sh"
for tool in wrk curl python3 gnuplot cmake; do
  command -v "$tool" >/dev/null || die "$tool is missing (tools/setup.sh installs it)"
done
echo "output: $OUT   data dirs: $DATA_ROOT"
MACHINE="$(machine_line)"
START_S=$SECONDS
SEED="$BUILD_DIR/bench/seed_instances"
if [ "$SKIP_BUILD" != 1 ]; then
  log "building Release in $BUILD_DIR"
  { cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_BUILD_BENCH=ON &&
    cmake --build "$BUILD_DIR" -j2 --target logbook seed_instances; } > "$OUT/build.log" 2>&1 ||
    die "build failed, see $OUT/build.log"
fi
[ -x "$BIN" ] && [ -x "$SEED" ] || die "missing $BIN or $SEED"
COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo '+dirty')"

JSON='application/json'
XML='application/xml'
# fetch_seconds PORT ACCEPT GZIP(0|1): one GET /eureka/apps; prints "status seconds bytes".
fetch_seconds() {
  local gz=()
  [ "$3" = 1 ] && gz=(-H 'Accept-Encoding: gzip')
  curl -s -o /dev/null --max-time 120 -H "Accept: $2" "${gz[@]}" \
    -w '%{http_code} %{time_total} %{size_download}\n' "http://127.0.0.1:$1/eureka/apps"
}
# wrk_fetch PORT GZIP NAME CONNECTIONS SECONDS: sets W_P50 W_P99 (ms), W_RPS, W_BAD (non-2xx +
# socket errors).
wrk_fetch() {
  local gz=() raw="$OUT/$3.wrk"
  [ "$2" = 1 ] && gz=(-H 'Accept-Encoding: gzip')
  timeout $(($5 + 120)) wrk -t1 -c"$4" -d"$5s" --timeout 30s \
    -H "Accept: $JSON" "${gz[@]}" -s "$ROOT/bench/load/latency.lua" \
    "http://127.0.0.1:$1/eureka/apps" > "$raw" 2>&1 || die "wrk failed: $(tail -n 3 "$raw")"
  local line; line=$(grep '^LB_LATENCY' "$raw") || die "no LB_LATENCY line in $raw"
  kv() { echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
  W_P50=$(awk -v v="$(kv p50_us)" 'BEGIN {printf "%.2f", v / 1000}')
  W_P99=$(awk -v v="$(kv p99_us)" 'BEGIN {printf "%.2f", v / 1000}')
  W_RPS=$(awk -v r="$(kv requests)" -v d="$(kv duration_us)" 'BEGIN {printf "%.1f", r / (d / 1e6)}')
  W_BAD=$(( $(kv non2xx) + $(kv errors) ))
}

TSV="$OUT/scaling.tsv"
printf '# instances\tapps\trss_empty_kib\trss_seeded_kib\trss_warm_kib\tbytes_per_instance_seeded\tbytes_per_instance_warm\tcold_json_ms\tcold_json_gzip_ms\tcold_xml_ms\tcold_xml_gzip_ms\tsingle_gzip_ms\tsingle_plain_ms\twrk_gzip_p50_ms\twrk_gzip_p99_ms\twrk_gzip_rps\twrk_plain_p50_ms\twrk_plain_p99_ms\twrk_plain_rps\tgzip_bytes\tplain_bytes\tbad\trss_peak_kib\n' > "$TSV"

: > "$OUT/memtables.tsv"
for n in $SIZES; do
  apps=$(( n >= 100 ? n / 50 : 1 ))
  log "$n instances in $apps apps"
  dir="$DATA_ROOT/n$n"
  start_on "$dir" "$OUT/node-$n.log" --sync none
  wait_listening
  wait_ready
  pid=$NODE_PID port=$NODE_PORT
  rss_empty=$(rss_kib "$pid")
  "$SEED" --port "$port" --instances "$n" --apps "$apps" > "$OUT/seed-$n.txt" 2>&1 ||
    die "seeding failed: $(tail -n 3 "$OUT/seed-$n.txt")"
  rss_seeded=$(rss_kib "$pid")
  cold=()
  for enc in "$JSON 0" "$JSON 1" "$XML 0" "$XML 1"; do
    read -r status seconds bytes < <(fetch_seconds "$port" $enc)
    [ "$status" = 200 ] || die "fetch answered $status"
    cold+=("$(awk -v s="$seconds" 'BEGIN {printf "%.1f", s * 1000}')")
    case "$enc" in "$JSON 0") plain_bytes=$bytes ;; "$JSON 1") gzip_bytes=$bytes ;; esac
  done
  rss_warm=$(rss_kib "$pid")
  # One connection, one request at a time: the latency of a lone client.
  wrk_fetch "$port" 1 "single-gzip-$n" 1 "$SINGLE"; single_gzip=$W_P50 sbad=$W_BAD
  wrk_fetch "$port" 0 "single-plain-$n" 1 "$SINGLE"; single_plain=$W_P50 sbad=$((sbad + W_BAD))
  wrk_fetch "$port" 1 "wrk-gzip-$n" "$CONNECTIONS" "$DURATION"; g50=$W_P50 g99=$W_P99 grps=$W_RPS gbad=$W_BAD
  wrk_fetch "$port" 0 "wrk-plain-$n" "$CONNECTIONS" "$DURATION"; p50=$W_P50 p99=$W_P99 prps=$W_RPS pbad=$W_BAD
  rss_peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
  stop_pid "$pid" TERM
  # Nothing is written after seeding (fetches only), so the memtables a clean stop flushes are
  # the ones the warm RSS held.
  memtables=$(cat "$dir"/LOG.old "$dir"/LOG 2>/dev/null | python3 "$ROOT/bench/memtables_flushed.py")
  printf '%s\t%s\n' "$n" "$memtables" >> "$OUT/memtables.tsv"
  rm -rf "$dir"
  per_seeded=$(( (rss_seeded - rss_empty) * 1024 / n ))
  per_warm=$(( (rss_warm - rss_empty) * 1024 / n ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$n" "$apps" "$rss_empty" "$rss_seeded" "$rss_warm" "$per_seeded" "$per_warm" "${cold[@]}" \
    "$single_gzip" "$single_plain" "$g50" "$g99" "$grps" "$p50" "$p99" "$prps" \
    "$gzip_bytes" "$plain_bytes" "$((gbad + pbad + sbad))" "$rss_peak" >> "$TSV"
  tail -n 1 "$TSV"
done
LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"

gnuplot -e "tsv='$TSV'; out='$OUT/scaling.png'; title='Logbook full fetch and memory against registry size (commit $COMMIT, $(date -u '+%Y-%m-%d'))'" \
  "$ROOT/bench/scaling.gp" || die "gnuplot failed"

SECTION="$OUT/section.md"
{
  echo "## Scaling: full fetch and memory against registry size"
  echo "<!-- scaling:begin (written by bench/scaling.sh; rerun it) -->"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; run time $((SECONDS - START_S)) s"
  echo "- Machine: $MACHINE; at the end: $LOAD_END"
  echo "- Command: \`$COMMAND\`"
  echo "- Each size: a fresh node (\`--sync none\`), instances of \`bench/bench_instances.h\` seeded by"
  echo "  \`build/bench/seed_instances\`, 50 per app. wrk: \`wrk -t1 -c$CONNECTIONS -d${DURATION}s --timeout 30s\`,"
  echo "  \`GET /eureka/apps\` with \`Accept: application/json\` (and \`Accept-Encoding: gzip\`); single"
  echo "  request: p50 of \`wrk -t1 -c1 -d${SINGLE}s\` (one keep-alive connection, one request at a time)."
  echo "  Cold: one \`curl\` (time_total), the first fetch of that encoding after seeding (it builds the"
  echo "  document; gzip comes after plain). RSS: VmRSS; per instance = (RSS − RSS of"
  echo "  the empty node) ÷ instances; warm = after one JSON and one XML fetch, each plain and gzip."
  echo "- Plot: [\`bench/scaling.png\`](scaling.png); data: \`bench/scaling.tsv\`."
  echo
  python3 - "$TSV" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")]
head = ["instances (apps)", "JSON gzip: wrk p50 / p99 ms", "req/s", "single request p50 ms",
        "JSON plain: wrk p50 / p99 ms", "req/s", "single request p50 ms",
        "cold build ms: JSON / gzip / XML / gzip", "reply bytes gzip / plain",
        "RSS empty / seeded / warm MiB", "**RSS per instance, warm**", "per instance, seeded", "peak RSS MiB", "errors"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
mib = lambda kib: "%.1f" % (int(kib) / 1024)
rate = lambda rps: "{:,.0f}".format(float(rps))
for r in rows:
    (n, apps, e, s, w, ps, pw, cj, cjg, cx, cxg, sg, sp, g50, g99, grps, p50, p99, prps,
     gb, pb, bad, peak) = r
    print("| %s (%s) | **%s** / %s | %s | %s | **%s** / %s | %s | %s | %s / %s / %s / %s | %s / %s | %s / %s / %s | **%s B** | %s B | %s | %s |" % (
        "{:,}".format(int(n)), apps, g50, g99, rate(grps), sg, p50, p99, rate(prps), sp, cj, cjg, cx, cxg,
        "{:,}".format(int(gb)), "{:,}".format(int(pb)), mib(e), mib(s), mib(w),
        "{:,}".format(int(pw)), "{:,}".format(int(ps)), mib(peak), bad))
PY
  echo
  echo "The fetch is answered from the response cache (one body per registry version and encoding),"
  echo "so the wrk and single-request rows measure sending a cached body: they grow with its size;"
  echo "the cold column is what a registry change costs the next fetch. Warm RSS includes the four"
  echo "cached bodies (JSON, XML, plain and gzip), RocksDB's memtable (not flushed at these sizes) and"
  echo "the heap glibc keeps after the replies' transient copies; peak RSS is VmHWM over the whole run,"
  echo "wrk's concurrent plain replies included. Micro-benchmarks of the same paths without sockets:"
  echo "\"Micro-benchmarks (bench/micro)\"."
  echo "<!-- scaling:end -->"
} > "$SECTION"
cat "$SECTION"
if [ "$RESULTS_FILE" != - ]; then
  write_marked_section "$RESULTS_FILE" scaling "$SECTION"
  # The plot and the data go next to the results file (bench/ by default).
  cp "$OUT/scaling.png" "$TSV" "$(dirname "$RESULTS_FILE")/"
  echo "written: $(dirname "$RESULTS_FILE")/scaling.png and scaling.tsv"
fi
