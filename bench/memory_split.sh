#!/usr/bin/env bash
# Where the RSS of a warm node goes (issue 6, memory row), measured rather than inferred: a fresh
# node (`--sync none`) seeded with N instances (50 per app), JSON and XML fetched plain and gzip
# (the caches warm), SETTLE seconds for the snapshot the seeding triggers, then
#   - VmRSS empty / seeded / warm, as bench/scaling.sh takes them;
#   - glibc's malloc_info (called in the node through gdb): per arena, bytes from the system,
#     free, in use. The main arena is the loop thread's (registry, fragments, documents, and a
#     snapshot cut's pre-images while one runs); mapped blocks (>= 1 MiB) are RocksDB's memtable
#     blocks, the gzip bodies and a snapshot's body pieces while it is written;
#   - the RSS a malloc_trim(0) then gives back (the allocator's resident slack);
#   - the memtables a clean stop flushes (RocksDB's LOG), as bench/scaling.sh counts them.
# Memory does not depend on the machine's load; the figures are per instance over the empty node.
#
# usage: bench/memory_split.sh [OUT_DIR] [serve args...]   (default OUT_DIR: a new temp dir)
# Environment: N=100000  SETTLE=6  BUILD_DIR=build. Tools: gdb, curl, python3.
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
N="${N:-100000}"
SETTLE="${SETTLE:-6}"
OUT="${1:-}"
[ $# -gt 0 ] && shift
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-memsplit.XXXXXX") || exit 1; fi
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-memsplit-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
for tool in gdb curl python3; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
SEED="$BUILD_DIR/bench/seed_instances"
[ -x "$BIN" ] && [ -x "$SEED" ] || die "missing $BIN or $SEED (build logbook and seed_instances)"

start_on "$DATA_ROOT/d" "$OUT/node.log" --sync none "$@"
wait_listening
wait_ready
pid=$NODE_PID port=$NODE_PORT
rss_empty=$(rss_kib "$pid")
"$SEED" --port "$port" --instances "$N" --apps $(( N >= 100 ? N / 50 : 1 )) > "$OUT/seed.txt" 2>&1 ||
  die "seeding failed: $(tail -n 3 "$OUT/seed.txt")"
rss_seeded=$(rss_kib "$pid")
for enc in "application/json 0" "application/json 1" "application/xml 0" "application/xml 1"; do
  read -r accept gzip <<< "$enc"
  gz=()
  [ "$gzip" = 1 ] && gz=(-H 'Accept-Encoding: gzip')
  status=$(curl -s -o /dev/null --max-time 120 -H "Accept: $accept" "${gz[@]}" -w '%{http_code}' \
    "http://127.0.0.1:$port/eureka/apps")
  [ "$status" = 200 ] || die "fetch answered $status"
done
sleep "$SETTLE"
rss_warm=$(rss_kib "$pid")
cp "/proc/$pid/smaps_rollup" "$OUT/smaps_rollup"
gdb -p "$pid" -batch -ex "set \$f = (void*)fopen(\"$OUT/malloc_info.xml\", \"w\")" \
  -ex 'call (int)malloc_info(0, $f)' -ex 'call (int)fclose($f)' > "$OUT/gdb-info.log" 2>&1
rss_before_trim=$(rss_kib "$pid")
gdb -p "$pid" -batch -ex 'call (int)malloc_trim(0)' > "$OUT/gdb-trim.log" 2>&1
rss_trimmed=$(rss_kib "$pid")
stop_pid "$pid" TERM
cat "$DATA_ROOT"/d/LOG.old "$DATA_ROOT"/d/LOG 2>/dev/null > "$OUT/rocksdb.LOG"
python3 "$ROOT/bench/memtables_flushed.py" < "$OUT/rocksdb.LOG" > "$OUT/memtables_flushed"
rm -rf "$DATA_ROOT"

python3 - "$OUT" "$N" "$rss_empty" "$rss_seeded" "$rss_warm" "$rss_before_trim" "$rss_trimmed" <<'PY'
import sys
import xml.etree.ElementTree as ET
out, n = sys.argv[1], int(sys.argv[2])
empty, seeded, warm, before_trim, trimmed = (int(v) * 1024 for v in sys.argv[3:8])
per = lambda b: f"{b / n:,.0f} B"
print(f"{n} instances; RSS over the empty node: seeded {per(seeded - empty)}, warm {per(warm - empty)}"
      f" per instance; malloc_trim(0) gives back {per(before_trim - trimmed)}")
root = ET.parse(f"{out}/malloc_info.xml").getroot()
for heap in root.findall("heap"):
    system = int(heap.find("system[@type='current']").get("size"))
    free = sum(int(t.get("size")) for t in heap.findall("total") if t.get("type") in ("fast", "rest"))
    if system < n:  # under 1 B per instance: not worth a line
        continue
    print(f"  arena {heap.get('nr')}: in use {per(system - free)}, free {per(free)}")
mapped = root.find("total[@type='mmap']")
print(f"  mapped blocks (>= 1 MiB): {mapped.get('count')}, {per(int(mapped.get('size')))}")
flushed = int(open(f"{out}/memtables_flushed").read())
print(f"  memtables a clean stop flushed: {per(flushed)}")
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw output in $OUT"
