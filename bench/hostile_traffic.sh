#!/usr/bin/env bash
# Runs build/bench/hostile_traffic (the e2e hostile-traffic scenario with more
# load) and writes its figures into bench/RESULTS.md, replacing only the
# section between the hostile-traffic markers (appended if absent). RESULTS_FILE
# names another file to write (bench/run_all.sh's quick check).
# Arguments are passed to the tool, e.g. `bench/hostile_traffic.sh --duration-s 30`.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target hostile_traffic logbook >/dev/null

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
table="$(build/bench/hostile_traffic "$@")"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "$table"

section="$(mktemp)"
trap 'rm -f "$section"' EXIT
{
  echo "<!-- hostile-traffic:begin (written by bench/hostile_traffic.sh; rerun it) -->"
  echo "## Hostile traffic"
  echo
  echo "A well-behaved client (one keep-alive connection: register, renew, fetch, ~100 req/s) while"
  echo "the node is attacked from the same machine (\`tests/testing/hostile_traffic.cc\`, the scenario"
  echo "of \`tests/e2e/hostile_traffic_test.cc\` with more load). Latency is the client's own, per request."
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD)"
  echo "- Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM;"
  echo "  load average at the start: $load_before, at the end: $load_after"
  echo "- Command: \`bench/hostile_traffic.sh${*:+ $*}\`"
  echo
  echo "$table"
  echo "<!-- hostile-traffic:end -->"
} >"$section"

results="${RESULTS_FILE:-bench/RESULTS.md}"
if grep -q '<!-- hostile-traffic:begin' "$results"; then
  awk -v file="$section" '
    /<!-- hostile-traffic:begin/ { while ((getline line < file) > 0) print line; skip = 1; next }
    /<!-- hostile-traffic:end -->/ { skip = 0; next }
    !skip { print }
  ' "$results" >"$results.new"
  mv "$results.new" "$results"
else
  { echo; cat "$section"; } >>"$results"
fi
echo "== figures written to $results"
