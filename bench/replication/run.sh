#!/usr/bin/env bash
# Replication figures (docs/replication.md), on loopback with real nodes:
#   1. propagation latency of one registration A -> B (median, p99);
#   2. catch-up throughput: a fresh node pulls a peer's log of N registrations;
#   2b. restart catch-up: node B was down while A's log grew by RESTART_EVENTS
#       events (RESTART_INSTANCES registrations, then renewals; built offline by
#       bench/make_datadir, byte for byte what a node writes); B restarts and
#       pulls them: events/s from B's start until B's cursor passes A's durable
#       offset, RUNS times (median printed);
#   3. convergence of 2,000 registrations made on 3 nodes at once;
#   4. bootstrap: a node with a new data dir starts from a peer's snapshot of N instances;
#   5. cpu (only when named in PHASES: it takes ~2.5 min): CPU_INSTANCES registered over 3
#      nodes, each renewed every 30 s for CPU_SECONDS (bench/load/eureka_pacer.py, one pacer
#      per node for the instances registered there), each node's CPU (utime+stime) per second
#      and per replicated event; then one node without peers taking the same renewals.
#   6. merge (only when named in PHASES): node M's log holds MERGE_INSTANCES registrations
#      (bench/make_datadir) and was trimmed by retention; node N starts on a new data dir with
#      M as its peer and logbook.replication.bootstrap=false, gets 410 from offset 1 and merges
#      M's snapshot (docs/replication.md, "Merging a peer's snapshot"): the time from N's start
#      until its status shows the merge, N's CPU over it, and N's longest loop iteration in
#      CPU and wall time (/logbook/v1/status "loop": max_stall_cpu_ms, max_stall_ms).
# Usage: bench/replication/run.sh [BUILD_DIR]
#   env: SAMPLES (500), CATCHUP_INSTANCES (100000), SYNC (always|none),
#        RESTART_EVENTS (1000000), RESTART_INSTANCES (100000), RUNS (3),
#        CPU_INSTANCES (10000), CPU_SECONDS (60), MERGE_INSTANCES (100000),
#        PARENT (where data dirs go; /tmp), PHASES ("latency catchup restart convergence bootstrap")
set -euo pipefail
BUILD=${1:-build}
BIN=$BUILD/logbook
SAMPLES=${SAMPLES:-500}
CATCHUP_INSTANCES=${CATCHUP_INSTANCES:-100000}
RESTART_EVENTS=${RESTART_EVENTS:-1000000}
RESTART_INSTANCES=${RESTART_INSTANCES:-100000}
RUNS=${RUNS:-3}
CPU_INSTANCES=${CPU_INSTANCES:-10000}
CPU_SECONDS=${CPU_SECONDS:-60}
MERGE_INSTANCES=${MERGE_INSTANCES:-100000}
SYNC=${SYNC:-always}
PARENT=${PARENT:-/tmp}
PHASES=${PHASES:-latency catchup restart convergence bootstrap}
DIR=$(mktemp -d "$PARENT/logbook-repl-bench-XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { date +%s%3N; }
# start NAME PORT PEERS...
start() {
  local name=$1 port=$2; shift 2
  local peers; peers=$(IFS=,; echo "$*")
  "$BIN" serve --host 127.0.0.1 --port "$port" --data-dir "$DIR/$name" --node-id "$name" \
    --sync "$SYNC" ${peers:+--peers "$peers"} ${START_ARGS:-} >"$DIR/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.05; done
  echo "node $name did not start" >&2; cat "$DIR/$name.log" >&2; exit 1
}
# field PORT NAME: the first number named NAME in the node's status (grep, not a
# JSON tool: polling must stay cheap on a loaded machine).
field() { curl -s "http://127.0.0.1:$1/logbook/v1/status" | grep -o "\"$2\":[0-9]*" | head -n1 | cut -d: -f2; }

echo "# commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), sync=$SYNC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. Latency A -> B.
if [[ " $PHASES " == *" latency "* ]]; then
PA=$(free_port); PB=$(free_port)
start a "$PA" "http://127.0.0.1:$PB"; start b "$PB" "http://127.0.0.1:$PA"
echo "latency: $("$BUILD/bench/replication_latency" --a "$PA" --b "$PB" --samples "$SAMPLES")"
for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()

fi

# 2. Catch-up: C holds N registrations; D starts empty and pulls them.
if [[ " $PHASES " == *" catchup "* ]]; then
PC=$(free_port); PD=$(free_port)
start c "$PC"
"$BUILD/bench/seed_instances" --port "$PC" --instances "$CATCHUP_INSTANCES" --apps 100 >/dev/null
EVENTS=$(field "$PC" durable_offset)
T0=$(ms)
# Pulled as events, not bootstrapped from a snapshot (phase 4 measures that).
START_ARGS="--set logbook.replication.bootstrap=false" start d "$PD" "http://127.0.0.1:$PC"
until [ "$(field "$PD" cursor)" -gt "$EVENTS" ]; do sleep 0.01; done
T1=$(ms)
echo "catch-up: events=$EVENTS ms=$((T1 - T0)) events_per_s=$((EVENTS * 1000 / (T1 - T0 > 0 ? T1 - T0 : 1))) (start of the empty node included)"
for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()

fi

# 2b. Restart catch-up: A's log was written while B was down; B restarts.
if [[ " $PHASES " == *" restart "* ]]; then
"$BUILD/bench/make_datadir" --data-dir "$DIR/a-log" --instances "$RESTART_INSTANCES" \
  --apps 1000 --events "$RESTART_EVENTS" --snapshot-every-events 500000 >/dev/null
RATES=()
for run in $(seq "$RUNS"); do
  rm -rf "$DIR/ra" "$DIR/rb"; cp -r "$DIR/a-log" "$DIR/ra"
  PA=$(free_port); PB=$(free_port)
  while [ "$PB" = "$PA" ]; do PB=$(free_port); done
  # B's data dir exists from an earlier life (it was up, then went down).
  start rb "$PB"; kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'
  "$BIN" serve --host 127.0.0.1 --port "$PA" --data-dir "$DIR/ra" --sync "$SYNC" \
    >"$DIR/ra.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PA/readyz" >/dev/null && break; sleep 0.05; done
  EVENTS=$(field "$PA" durable_offset)
  T0=$(ms)
  "$BIN" serve --host 127.0.0.1 --port "$PB" --data-dir "$DIR/rb" --node-id rb --sync "$SYNC" \
    --peers "http://127.0.0.1:$PA" >"$DIR/rb.log" 2>&1 & PIDS+=($!)
  BPID=${PIDS[-1]}
  until [ "$(field "$PB" cursor 2>/dev/null || echo 0)" -gt "$EVENTS" ] 2>/dev/null; do
    kill -0 "$BPID" 2>/dev/null || { echo "node rb exited" >&2; cat "$DIR/rb.log" >&2; exit 1; }
    sleep 0.01
  done
  T1=$(ms)
  RATE=$((EVENTS * 1000 / (T1 - T0 > 0 ? T1 - T0 : 1)))
  RATES+=("$RATE")
  echo "restart catch-up run $run: events=$EVENTS ms=$((T1 - T0)) events_per_s=$RATE (B's start included)"
  for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()
done
echo "restart catch-up: median events_per_s=$(printf '%s\n' "${RATES[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p") over $RUNS runs (events=$EVENTS, registrations=$RESTART_INSTANCES, sync=$SYNC)"
fi

# 3. Convergence: 2,000 registrations, a third on each of 3 nodes, at once.
if [[ " $PHASES " == *" convergence "* ]]; then
P0=$(free_port); P1=$(free_port); P2=$(free_port)
start n0 "$P0" "http://127.0.0.1:$P1" "http://127.0.0.1:$P2"
start n1 "$P1" "http://127.0.0.1:$P0" "http://127.0.0.1:$P2"
start n2 "$P2" "http://127.0.0.1:$P0" "http://127.0.0.1:$P1"
T0=$(ms)
SEEDERS=()
"$BUILD/bench/seed_instances" --port "$P0" --instances 667 --apps 20 --id-prefix x0 >/dev/null & SEEDERS+=($!)
"$BUILD/bench/seed_instances" --port "$P1" --instances 667 --apps 20 --id-prefix x1 >/dev/null & SEEDERS+=($!)
"$BUILD/bench/seed_instances" --port "$P2" --instances 666 --apps 20 --id-prefix x2 >/dev/null & SEEDERS+=($!)
wait "${SEEDERS[@]}"
T1=$(ms)
until [ "$(field "$P0" instances)" = 2000 ] && [ "$(field "$P1" instances)" = 2000 ] &&
      [ "$(field "$P2" instances)" = 2000 ]; do sleep 0.005; done
T2=$(ms)
H0=$(curl -s "http://127.0.0.1:$P0/eureka/v2/apps" -H 'Accept: application/json' | md5sum)
H1=$(curl -s "http://127.0.0.1:$P1/eureka/v2/apps" -H 'Accept: application/json' | md5sum)
H2=$(curl -s "http://127.0.0.1:$P2/eureka/v2/apps" -H 'Accept: application/json' | md5sum)
SAME=$([ "$H0" = "$H1" ] && [ "$H1" = "$H2" ] && echo yes || echo no)
echo "convergence: registrations=2000 nodes=3 writes_ms=$((T1 - T0)) converged_ms=$((T2 - T0)) after_last_write_ms=$((T2 - T1)) identical_apps_documents=$SAME"
fi

# 4. Bootstrap: F holds N registrations; G starts on a new data dir with F as
# its peer, fetches F's snapshot, installs it and is ready.
if [[ " $PHASES " == *" bootstrap "* ]]; then
PF=$(free_port); PG=$(free_port)
start f "$PF"
"$BUILD/bench/seed_instances" --port "$PF" --instances "$CATCHUP_INSTANCES" --apps 100 >/dev/null
T0=$(ms)
"$BIN" serve --host 127.0.0.1 --port "$PG" --data-dir "$DIR/g" --node-id g --sync "$SYNC" \
  --peers "http://127.0.0.1:$PF" >"$DIR/g.log" 2>&1 &
PIDS+=($!)
until curl -sf "http://127.0.0.1:$PG/readyz" >/dev/null; do sleep 0.01; done
T1=$(ms)
BYTES=$(grep -o 'received ([0-9]* bytes' "$DIR/g.log" | grep -o '[0-9]*')
echo "bootstrap: instances=$(field "$PG" instances) of $(field "$PF" instances) snapshot_bytes=$BYTES ready_ms=$((T1 - T0)) (process start to /readyz 200)"
fi

# 5. CPU cost of replication: CPU_INSTANCES instances renewing every 30 s (Eureka's default),
# registered a third on each of 3 nodes; then the same renewals on one node without peers.
if [[ " $PHASES " == *" cpu "* ]]; then
RENEW_EVERY_S=30
TICKS_PER_S=$(getconf CLK_TCK)
PACER="$(dirname "$0")/../load/eureka_pacer.py"
# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat; the
# command name before them is in parentheses and may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# Events this node pulled from its peers so far.
pulled() {
  curl -s "http://127.0.0.1:$1/logbook/v1/status" |
    python3 -c 'import json, sys; print(sum(p["events"] for p in json.load(sys.stdin).get("peers", [])))'
}
SHARES=($((CPU_INSTANCES - 2 * (CPU_INSTANCES / 3))) $((CPU_INSTANCES / 3)) $((CPU_INSTANCES / 3)))
# renew_for PORT...: PORTS[i] takes the renewals of the instances of share i (id prefix c<i>)
# for CPU_SECONDS, open loop, each instance once every RENEW_EVERY_S; fails if one failed.
renew_for() {
  local ports=("$@") pacers=() i
  for i in 0 1 2; do
    python3 "$PACER" renew "${ports[$i]}" --rate "$(python3 -c "print(${SHARES[$i]} / $RENEW_EVERY_S)")" \
      --seconds "$CPU_SECONDS" --instances "${SHARES[$i]}" --apps 100 --id-prefix "c$i" \
      --connections 2 >"$DIR/pacer$i.txt" 2>&1 & pacers+=($!)
  done
  for i in 0 1 2; do
    wait "${pacers[$i]}" || { echo "pacer $i failed: $(cat "$DIR/pacer$i.txt")" >&2; exit 1; }
  done
}
ms_per_s() { python3 -c "print(f'{$1 * 1000 / $TICKS_PER_S / ($2 / 1000):.1f}')"; }

P0=$(free_port); P1=$(free_port); P2=$(free_port)
while [ "$P1" = "$P0" ]; do P1=$(free_port); done
while [ "$P2" = "$P0" ] || [ "$P2" = "$P1" ]; do P2=$(free_port); done
PORTS=("$P0" "$P1" "$P2")
start c0 "$P0" "http://127.0.0.1:$P1" "http://127.0.0.1:$P2"; NODE_PIDS=("${PIDS[-1]}")
start c1 "$P1" "http://127.0.0.1:$P0" "http://127.0.0.1:$P2"; NODE_PIDS+=("${PIDS[-1]}")
start c2 "$P2" "http://127.0.0.1:$P0" "http://127.0.0.1:$P1"; NODE_PIDS+=("${PIDS[-1]}")
for i in 0 1 2; do
  "$BUILD/bench/seed_instances" --port "${PORTS[$i]}" --instances "${SHARES[$i]}" --apps 100 \
    --id-prefix "c$i" >/dev/null
done
for i in 0 1 2; do until [ "$(field "${PORTS[$i]}" instances)" = "$CPU_INSTANCES" ]; do sleep 0.05; done; done
TICKS0=(); PULLED0=()
for i in 0 1 2; do TICKS0+=("$(cpu_ticks "${NODE_PIDS[$i]}")"); PULLED0+=("$(pulled "${PORTS[$i]}")"); done
T0=$(ms)
renew_for "${PORTS[@]}"
T1=$(ms)
CLUSTER_TICKS=0; CLUSTER_PULLED=0
for i in 0 1 2; do
  TICKS=$(( $(cpu_ticks "${NODE_PIDS[$i]}") - TICKS0[i] ))
  PULLED=$(( $(pulled "${PORTS[$i]}") - PULLED0[i] ))
  CLUSTER_TICKS=$((CLUSTER_TICKS + TICKS)); CLUSTER_PULLED=$((CLUSTER_PULLED + PULLED))
  OWN=$(grep -o 'ok=[0-9]*' "$DIR/pacer$i.txt" | cut -d= -f2)
  echo "cpu cluster node c$i: cpu_ms_per_s=$(ms_per_s "$TICKS" $((T1 - T0))) own_renewals=$OWN pulled_events=$PULLED" \
    "cpu_us_per_event=$(python3 -c "print(f'{$TICKS * 1e6 / $TICKS_PER_S / ($OWN + $PULLED):.1f}')") (own + pulled)" \
    "pacer: $(grep -o 'late=.*p99_ms=[0-9.]*' "$DIR/pacer$i.txt")"
done
CLUSTER_MS=$((T1 - T0))
for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()

PS=$(free_port)
start s "$PS"; SINGLE_PID=${PIDS[-1]}
for i in 0 1 2; do
  "$BUILD/bench/seed_instances" --port "$PS" --instances "${SHARES[$i]}" --apps 100 \
    --id-prefix "c$i" >/dev/null
done
TICKS0=$(cpu_ticks "$SINGLE_PID")
T0=$(ms)
renew_for "$PS" "$PS" "$PS"
T1=$(ms)
SINGLE_TICKS=$(( $(cpu_ticks "$SINGLE_PID") - TICKS0 ))
SINGLE_MS=$((T1 - T0))
echo "cpu single node: cpu_ms_per_s=$(ms_per_s "$SINGLE_TICKS" "$SINGLE_MS") renewals=$(cat "$DIR"/pacer*.txt | grep -o 'ok=[0-9]*' | awk -F= '{s += $2} END {print s}')"
for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()
python3 - "$TICKS_PER_S" "$CLUSTER_TICKS" "$CLUSTER_MS" "$CLUSTER_PULLED" "$SINGLE_TICKS" "$SINGLE_MS" \
  "$CPU_INSTANCES" "$RENEW_EVERY_S" <<'PY'
import sys
tick, cluster_ticks, cluster_ms, pulled, single_ticks, single_ms, instances, every = map(float, sys.argv[1:])
cluster = cluster_ticks / tick / (cluster_ms / 1000) * 1000   # CPU ms per second, 3 nodes
single = single_ticks / tick / (single_ms / 1000) * 1000
pulled_per_s = pulled / (cluster_ms / 1000)
print(f"cpu: instances={instances:.0f} renewals_per_s={instances / every:.1f} "
      f"cluster_cpu_ms_per_s={cluster:.1f} (3 nodes) single_node_cpu_ms_per_s={single:.1f} "
      f"replication_overhead_ms_per_s={cluster - single:.1f} "
      f"replicated_events_per_s={pulled_per_s:.1f} "
      f"overhead_us_per_replicated_event={(cluster - single) * 1000 / pulled_per_s if pulled_per_s else 0:.1f} "
      f"single_us_per_renewal={single * 1000 / (instances / every):.1f}")
PY
fi

# 6. Merge: N merges the snapshot of M, whose log no longer reaches back to N's cursor.
if [[ " $PHASES " == *" merge "* ]]; then
"$BUILD/bench/make_datadir" --data-dir "$DIR/m" --instances "$MERGE_INSTANCES" --apps 1000 \
  --events "$MERGE_INSTANCES" --snapshot-every-events $((MERGE_INSTANCES / 2)) >/dev/null
PM=$(free_port); PN=$(free_port)
while [ "$PN" = "$PM" ]; do PN=$(free_port); done
# Retention drops the events below M's older snapshot at once: offset 1 answers 410.
"$BIN" serve --host 127.0.0.1 --port "$PM" --data-dir "$DIR/m" --sync "$SYNC" \
  --set logbook.log.renew-retention=1s --set logbook.log.retention-interval-ms=200 \
  >"$DIR/m.log" 2>&1 & PIDS+=($!)
for _ in $(seq 400); do curl -sf "http://127.0.0.1:$PM/readyz" >/dev/null && break; sleep 0.05; done
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PM/logbook/v1/replication/events?from=1&limit=1")" = 410 ]; do
  sleep 0.1
done
T0=$(ms)
"$BIN" serve --host 127.0.0.1 --port "$PN" --data-dir "$DIR/n" --node-id n --sync "$SYNC" \
  --peers "http://127.0.0.1:$PM" --set logbook.replication.bootstrap=false >"$DIR/n.log" 2>&1 &
PIDS+=($!); NPID=${PIDS[-1]}
until [ "$(field "$PN" snapshots_merged 2>/dev/null || echo 0)" -ge 1 ] 2>/dev/null; do
  kill -0 "$NPID" 2>/dev/null || { echo "node n exited" >&2; cat "$DIR/n.log" >&2; exit 1; }
  sleep 0.05
done
T1=$(ms)
N_TICKS=$(sed 's/^.*) //' "/proc/$NPID/stat" | awk '{print $12 + $13}')
curl -s "http://127.0.0.1:$PN/logbook/v1/status" | python3 -c '
import json, sys
ticks, wall_ms, tick_hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
d = json.load(sys.stdin)
loop, instances = d["loop"], d["registry"]["instances"]
cpu, wall, over = loop["max_stall_cpu_ms"], loop["max_stall_ms"], loop["stalls_over_5ms"]
print(f"merge: instances={instances} ms={wall_ms} (N start to merged) n_cpu_ms={ticks * 1000 // tick_hz}"
      f" max_loop_task_cpu_ms={cpu:.1f} max_loop_task_ms={wall:.1f} loop_iterations_over_5ms={over}")
' "$N_TICKS" $((T1 - T0)) "$(getconf CLK_TCK)"
grep -o 'merged the snapshot[^"]*' "$DIR/n.log" | head -n1
for p in "${PIDS[@]}"; do kill "$p"; done; wait 2>/dev/null || true; PIDS=()
fi
