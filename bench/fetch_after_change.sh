#!/usr/bin/env bash
# The first full fetch after a change at scale, and the memory of the warm caches (issue 6):
#   a fresh node (--sync none) on an empty data dir, INSTANCES instances in INSTANCES/50 apps
#   (build/bench/seed_instances) -> the first fetch of each encoding (JSON, XML; plain, gzip):
#   RSS warm -> ROUNDS times: wait two stall-meter windows (so /logbook/v1/status
#   loop.recent_max_stall_ms forgets earlier work), change one instance's status (PUT .../status),
#   GET /eureka/apps JSON gzip (curl time_total) while a renewal loop runs, then read
#   recent_max_stall_ms: the loop's longest iteration around that fetch (the renewals' longest
#   wait is printed too).
# Prints one line per round and the RSS figures. Raw output goes to OUT_DIR.
#
# usage: bench/fetch_after_change.sh [OUT_DIR]
# Environment (defaults): INSTANCES=100000 ROUNDS=3 BUILD_DIR=build
set -u -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
INSTANCES="${INSTANCES:-100000}"
ROUNDS="${ROUNDS:-3}"
SKIP_BUILD=1
OUT="${1:-}"
if [ -z "$OUT" ]; then OUT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-change.XXXXXX") || exit 1; fi
mkdir -p "$OUT" && OUT="$(cd "$OUT" && pwd -P)"
DATA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/logbook-change-data.XXXXXX") || exit 1
# shellcheck source=bench/scale_common.sh
source "$ROOT/bench/scale_common.sh"
SEED="$BUILD_DIR/bench/seed_instances"
[ -x "$BIN" ] && [ -x "$SEED" ] || die "missing $BIN or $SEED"
apps=$(( INSTANCES >= 100 ? INSTANCES / 50 : 1 ))

start_on "$DATA_ROOT/node" "$OUT/node.log" --sync none
wait_listening
wait_ready
pid=$NODE_PID port=$NODE_PORT
rss_empty=$(rss_kib "$pid")
"$SEED" --port "$port" --instances "$INSTANCES" --apps "$apps" > "$OUT/seed.txt" 2>&1 ||
  die "seeding failed: $(tail -n 3 "$OUT/seed.txt")"
rss_seeded=$(rss_kib "$pid")
fetch() {  # ACCEPT GZIP(0|1): "status seconds bytes"
  local gz=()
  [ "$2" = 1 ] && gz=(-H 'Accept-Encoding: gzip')
  curl -s -o /dev/null --max-time 120 -H "Accept: $1" "${gz[@]}" \
    -w '%{http_code} %{time_total} %{size_download}\n' "http://127.0.0.1:$port/eureka/apps"
}
for enc in "application/json 0" "application/json 1" "application/xml 0" "application/xml 1"; do
  echo "cold $enc: $(fetch $enc)"
done
rss_warm=$(rss_kib "$pid")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS KiB empty $rss_empty seeded $rss_seeded warm $rss_warm;" \
  "per instance: seeded $(( (rss_seeded - rss_empty) * 1024 / INSTANCES )) B," \
  "warm $(( (rss_warm - rss_empty) * 1024 / INSTANCES )) B"
# The instance ids and app names of bench/bench_instances.h.
app=$(curl -s -H 'Accept: application/json' "http://127.0.0.1:$port/eureka/apps" |
  python3 -c 'import json,sys; a=json.load(sys.stdin)["applications"]["application"][0]; print(a["name"], a["instance"][0]["instanceId"], a["instance"][1]["instanceId"])')
read -r app_name changed renewed <<< "$app"
window_ms=$(status_field "$port" loop recent_window_ms)
status=OUT_OF_SERVICE
for round in $(seq 1 "$ROUNDS"); do
  nap "$(awk -v w="$window_ms" 'BEGIN {print 2 * w / 1000 + 0.5}')"
  curl -s -o /dev/null -X PUT "http://127.0.0.1:$port/eureka/apps/$app_name/$changed/status?value=$status"
  # Renewals of another instance, one at a time, during the fetch: their longest wait.
  ( for _ in $(seq 1 400); do
      curl -s -o /dev/null -w '%{time_total}\n' -X PUT "http://127.0.0.1:$port/eureka/apps/$app_name/$renewed"
    done > "$OUT/renew-$round.txt" ) &
  renewer=$!
  result=$(fetch application/json 1)
  wait "$renewer"
  stall=$(status_field "$port" loop recent_max_stall_ms)
  renew_max=$(sort -g "$OUT/renew-$round.txt" | tail -n 1)
  echo "round $round: fetch after change (status seconds bytes) $result; loop recent_max_stall_ms $stall; longest renewal ${renew_max}s"
  status=$([ "$status" = UP ] && echo OUT_OF_SERVICE || echo UP)
done
stop_pid "$pid" TERM
rm -rf "$DATA_ROOT"
