#!/usr/bin/env bash
# Fails when a module includes what it must not (STYLE.md "Layout"):
# core includes no other module and no RocksDB/libuv/llhttp/simdjson/expat;
# storage and net never include each other.
set -u
cd "$(dirname "$0")/.."
status=0
check() {
  local dir="$1" pattern="$2" why="$3"
  local hits
  hits=$(grep -rnE "^#include [<\"]($pattern)" "$dir" --include='*.h' --include='*.cc' || true)
  if [ -n "$hits" ]; then
    echo "layering violation ($why):"
    echo "$hits"
    status=1
  fi
}
check core 'net/|storage/|app/|uv\.h|rocksdb/|llhttp|simdjson|expat' "core is pure"
check storage 'net/|app/|uv\.h|llhttp|simdjson' "storage never includes net"
check net 'storage/|app/|rocksdb/' "net never includes storage"
[ $status -eq 0 ] && echo "layering ok"
exit $status
