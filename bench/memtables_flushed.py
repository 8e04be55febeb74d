#!/usr/bin/env python3
"""Prints the bytes RocksDB's memtables held when a node stopped cleanly.

Reads a RocksDB LOG (LOG.old then LOG) on stdin and sums `memory_usage` of the
flushes a clean stop starts ("Manual Flush"). Used by bench/scaling.sh and
bench/memory_split.sh, where nothing is written after seeding, so these are the
memtables the warm RSS held.
"""
import json
import sys

total = 0
for line in sys.stdin:
    at = line.find("{")
    if "EVENT_LOG_v1" not in line or at < 0:
        continue
    try:
        event = json.loads(line[at:])
    except ValueError:
        continue
    if event.get("event") == "flush_started" and event.get("flush_reason") == "Manual Flush":
        total += event.get("memory_usage", 0)
print(total)
