#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz (LOGBOOK_FUZZ=ON) and
# runs each for FUZZ_SECONDS (default 30) from its seed corpus in
# tests/fuzz/corpus/<target>, FUZZ_JOBS (default: nproc) at a time. Fails on
# any crash, leak, timeout or broken invariant and prints the reproducer path;
# rerun one with `build-fuzz/tests/fuzz/fuzz_<target> <path>`.
#
#   tools/run_fuzzers.sh                 build, then fuzz every target
#   tools/run_fuzzers.sh event_codec     only the targets named
#   tools/run_fuzzers.sh --seeds         regenerate tests/fuzz/corpus from the code
#
# New inputs go to build-fuzz/fuzz-corpus/<target> (kept between runs); the
# committed seeds are only read.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-30}"
jobs="${FUZZ_JOBS:-$(nproc)}"
build=build-fuzz

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_FUZZ=ON \
  -DLOGBOOK_BUILD_TESTS=OFF -DLOGBOOK_BUILD_BENCH=OFF -DLOGBOOK_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzzers

if [ "${1:-}" = "--seeds" ]; then
  "$build/tests/fuzz/fuzz_seed_corpus" tests/fuzz/corpus
  echo "== seeds written to tests/fuzz/corpus"
  exit 0
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/*_fuzzer.cc; do
    name="$(basename "$source" _fuzzer.cc)"
    targets+=("$name")
  done
fi

# The dictionary of the format a target reads, if any.
dictionary_for() {
  case "$1" in
    http_request_parser | node_handler) echo tests/fuzz/http.dict ;;
    eureka_json) echo tests/fuzz/json.dict ;;
    eureka_xml) echo tests/fuzz/xml.dict ;;
    *) echo "" ;;
  esac
}

run_one() {
  local target="$1"
  local binary="$build/tests/fuzz/fuzz_$target"
  local work="$build/fuzz-corpus/$target"
  local artifacts="$build/fuzz-artifacts/$target/"
  local log="$build/fuzz-logs/$target.log"
  local result="$build/fuzz-logs/$target.result"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  echo failed >"$result"
  local args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024
              -print_final_stats=1 -artifact_prefix="$artifacts")
  local dict
  dict="$(dictionary_for "$target")"
  [ -n "$dict" ] && args+=(-dict="$dict")
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$binary" "${args[@]}" "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
    echo "fuzz $target: ok ($(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs in ${seconds}s)"
    echo ok >"$result"
    return 0
  fi
  echo "fuzz $target: FAILED, log $log"
  grep -E "ERROR|invariant failed|SUMMARY|Test unit written" "$log" | head -20 || true
  local reproducer
  reproducer="$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')"
  if [ -n "$reproducer" ]; then
    echo "fuzz $target: reproducer $reproducer (rerun: $binary $reproducer)"
  fi
  return 1
}

echo "== fuzzing ${#targets[@]} targets for ${seconds}s each, $jobs at a time"
for target in "${targets[@]}"; do
  [ -x "$build/tests/fuzz/fuzz_$target" ] || { echo "no fuzz target $target"; exit 2; }
done
# Each run records its verdict in a file: exit statuses of background jobs
# are not reliably collectable once `wait -n` has reaped them.
for target in "${targets[@]}"; do
  run_one "$target" &
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait
failed=0
for target in "${targets[@]}"; do
  [ "$(cat "$build/fuzz-logs/$target.result")" = ok ] || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "== fuzzing found failures (reproducers above)"
  exit 1
fi
echo "== fuzzers passed"
