#!/usr/bin/env bash
# Installs every Debian package Logbook needs to build, run and test, if any
# is missing. Runs `apt-get update` at most once. Safe to run repeatedly.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  librocksdb-dev libuv1-dev node-llhttp libsimdjson-dev libabsl-dev
  libdeflate-dev libexpat1-dev zlib1g-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk curl gnuplot-nox
  # bench only: bench/run_load.sh's anchors (one etcd member; nginx serving the same gzip bytes)
  etcd-server nginx
  # bench only: bench/memory_split.sh reads malloc_info from the running node
  gdb
  chromium
  clang libclang-rt-14-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# Node.js may come from another packaging (e.g. one that bundles npm and
# conflicts with Debian's npm): only install Debian's when the commands are absent.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "tools/setup.sh: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
