#!/usr/bin/env bash
# Sets up, builds (Release) and runs one node on 127.0.0.1:8761 with its data
# in ./logbook-data. Extra arguments go to `logbook serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target logbook
exec build/logbook serve "$@"
