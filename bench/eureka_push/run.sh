#!/usr/bin/env bash
# Pushes to stock Eureka peers (--eureka-peers, docs/replication.md "Mixed clusters"), on
# loopback with real nodes. A second Logbook node B stands in for the Eureka server: it applies
# Eureka's batch format, as a stock server does.
#   1. N registrations on A (seed_instances): time until B holds all N through the push path;
#   2. renew throughput on A (wrk) with a live Eureka peer, with a dead one (connection refused)
#      and with none: what pushing costs clients, and that a dead peer costs them nothing;
#      plus how fast A's heartbeat queue drains to the live peer.
# Usage: bench/eureka_push/run.sh [BUILD_DIR]
#   env: INSTANCES (10000), DURATION (10s), CONNECTIONS (64), ROUNDS (2), PARENT (/tmp)
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/logbook
INSTANCES=${INSTANCES:-10000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PARENT=${PARENT:-/tmp}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d "$PARENT/logbook-eureka-push-bench-XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { date +%s%3N; }
# start NAME PORT [ARGS...]
start() {
  local name=$1 port=$2; shift 2
  "$BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$DIR/$name" --node-id "$name" "$@" \
    >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 400); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.05; done
  echo "node $name did not start" >&2; cat "$DIR/$name.log" >&2; exit 1
}
stop_all() { for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=(); }
# field PORT NAME: the first number named NAME in the node's status.
field() { curl -s "http://127.0.0.1:$1/logbook/v1/status" | grep -o "\"$2\":[0-9]*" | head -n1 | cut -d: -f2; }
seed() { timeout 300 "$BUILD/bench/seed_instances" --port "$1" --instances "$INSTANCES" --apps 100 >/dev/null; }
renew_rps() {
  timeout 120 wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -s "$HERE/../load/renew.lua" \
    "http://127.0.0.1:$1" -- "$INSTANCES" 100 | awk '/Requests\/sec/ {print int($2)}'
}

echo "# commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1: A pushes to B.
PA=$(free_port); PB=$(free_port); PA2=$(free_port); PDEAD=$(free_port); PA3=$(free_port)
start b "$PB"
start a "$PA" --eureka-peers "http://127.0.0.1:$PB/eureka/"
T0=$(ms)
seed "$PA"
T1=$(ms)
until [ "$(field "$PB" instances)" -ge "$INSTANCES" ]; do sleep 0.02; done
T2=$(ms)
echo "register: $INSTANCES on A in $((T1 - T0)) ms; all on B after $((T2 - T0)) ms ($((T2 - T1)) ms after the last write)"

# 2: renewals on A (live peer B), A2 (a dead peer: nothing listens on its port) and A3 (no
# Eureka peer), interleaved over ROUNDS so that the machine's drift hits all three alike.
start a2 "$PA2" --eureka-peers "http://127.0.0.1:$PDEAD/eureka/"
start a3 "$PA3"
seed "$PA2"; seed "$PA3"
for round in $(seq "${ROUNDS:-2}"); do
  SENT0=$(field "$PA" sent_items)
  RPS_LIVE=$(renew_rps "$PA")
  T3=$(ms)
  until [ "$(field "$PA" queue_length)" -eq 0 ]; do sleep 0.02; done
  T4=$(ms)
  SENT1=$(field "$PA" sent_items)
  echo "round $round: renew with a live Eureka peer: $RPS_LIVE req/s; $((SENT1 - SENT0)) items pushed, queue empty $((T4 - T3)) ms after wrk ended; dropped $(field "$PA" dropped_items), failed $(field "$PA" failed_items)"
  RPS_DEAD=$(renew_rps "$PA2")
  echo "round $round: renew with a dead Eureka peer: $RPS_DEAD req/s; queue $(field "$PA2" queue_length), dropped $(field "$PA2" dropped_items), send errors $(field "$PA2" send_errors)"
  RPS_NONE=$(renew_rps "$PA3")
  echo "round $round: renew without Eureka peers: $RPS_NONE req/s"
done
