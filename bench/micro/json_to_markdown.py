#!/usr/bin/env python3
"""Google Benchmark JSON (with --benchmark_report_aggregates_only) -> one
markdown table of the medians, for bench/micro/run.sh."""
import json
import sys

UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def time_text(ns):
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def rate_text(value, unit=""):
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return "%.3g %s%s" % (value / scale, suffix, unit)
    return "%.3g %s" % (value, unit)


def bytes_text(value):
    for scale, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if value >= scale:
            return "%.3g %s" % (value / scale, suffix)
    return "%d B" % value


def main(path):
    runs = json.load(open(path))["benchmarks"]
    medians = [r for r in runs if r.get("aggregate_name") == "median"]
    cvs = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "cv"}
    print("| benchmark | CPU time / op | wall time / op | items/s | bytes/s | size | cv (CPU) |")
    print("|---|---|---|---|---|---|---|")
    for r in medians:
        scale = UNITS[r["time_unit"]]
        size = next((bytes_text(r[k]) for k in ("response_bytes", "event_bytes", "body_bytes")
                     if k in r), "")
        cv = cvs.get(r["run_name"])
        cv_text = "%.1f %%" % (cv["cpu_time"] * 100) if cv else ""
        print("| `%s` | **%s** | %s | %s | %s | %s | %s |" % (
            r["run_name"], time_text(r["cpu_time"] * scale), time_text(r["real_time"] * scale),
            rate_text(r["items_per_second"]) if "items_per_second" in r else "",
            rate_text(r["bytes_per_second"], "B") if "bytes_per_second" in r else "",
            size, cv_text))


if __name__ == "__main__":
    main(sys.argv[1])
