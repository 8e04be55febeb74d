#!/usr/bin/env bash
# Fails on a *_test.cc outside the folders tests/CMakeLists.txt builds.
set -u
cd "$(dirname "$0")/.."
built='^tests/(core|storage|net|app|e2e)/[^/]+_test\.cc$'
orphans=$(find tests -name '*_test.cc' | sed 's|^\./||' | grep -vE "$built" || true)
if [ -n "$orphans" ]; then
  echo "test files no target builds:"
  echo "$orphans"
  exit 1
fi
echo "every test file is built"
