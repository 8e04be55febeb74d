#!/usr/bin/env bash
# What HTTP Basic access control costs a read: the same node (--sync none,
# one registered instance) serves GET /eureka/apps/ORDERS/o1 to wrk with
# access control off, then on with client credentials on every request
# (base64 decode, SHA-256 of the password, constant-time compare, role check).
# Alternating rounds, since the machine's load drifts. Prints one line per run.
#
# Usage: bench/auth_overhead.sh [ROUNDS=3] [SECONDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
seconds="${2:-5}"
binary="$PWD/build/logbook"
[ -x "$binary" ] || { echo "build/logbook missing: build it first" >&2; exit 1; }
work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts the node with the given extra arguments; sets $pid and $port.
start() {
  rm -rf "$work/data"
  "$binary" serve --port 0 --data-dir "$work/data" --sync none "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.05; done
  port="$(grep -o '127.0.0.1:[0-9]*' "$work/out" | head -1 | cut -d: -f2)"
  [ -n "$port" ] || { echo "the node did not start:" >&2; cat "$work/err" >&2; exit 1; }
}
stop() { kill "$pid"; wait "$pid" || true; pid=""; }

registration='{"instance":{"instanceId":"o1","hostName":"h1","app":"ORDERS","ipAddr":"10.0.0.1","status":"UP","dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"}}}'
authorization="Authorization: Basic $(printf %s 'bench:bench-pw' | base64)"

run() {
  local label="$1"; shift
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' "$@" -d "$registration" \
    "http://127.0.0.1:$port/eureka/apps/ORDERS"
  wrk -t1 -c16 -d"${seconds}s" "http://127.0.0.1:$port/eureka/apps/ORDERS/o1" \
    -H 'Accept: application/json' "$@" |
    awk -v label="$label" '/Latency/ {lat=$2" avg, "$3" stdev"} /Requests\/sec/ {rps=$2}
                           END {printf "%-9s %10.0f req/s  latency %s\n", label, rps, lat}'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; commit $(git rev-parse --short HEAD)"
for round in $(seq "$rounds"); do
  start
  run "auth=off"
  stop
  LOGBOOK_AUTH_CLIENT=bench:bench-pw start --set logbook.auth.enabled=true
  run "auth=on" -H "$authorization"
  stop
done
