#!/usr/bin/env bash
# Sets up, builds and runs every test: the Release build with -Werror, then
# the same suite under AddressSanitizer + UndefinedBehaviorSanitizer, then the
# libFuzzer targets for a bounded time (tools/run_fuzzers.sh, FUZZ_SECONDS).
# `--quick` skips the sanitizer and fuzzing passes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh

jobs="$(nproc)"
quick=0
[ "${1:-}" = "--quick" ] && quick=1

(cd tests/clients && npm ci --no-audit --no-fund --loglevel=error)

echo "== Release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLOGBOOK_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 600

if [ "$quick" -eq 0 ]; then
  echo "== ASan + UBSan build and tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLOGBOOK_SANITIZE=ON -DLOGBOOK_WERROR=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" --timeout 900
  echo "== libFuzzer targets (clang), ${FUZZ_SECONDS:-30}s each"
  tools/run_fuzzers.sh
fi
echo "== all tests passed"
