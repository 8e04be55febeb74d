#!/usr/bin/env python3
"""The goal table of issue 6 at the top of bench/RESULTS.md, from the raw output of one
bench/run_all.sh run: every goal row with Logbook's figure, its anchor's figure from the same
run, the ratio and whether the goal is met.

usage: bench/goal_table.py OUT_DIR RESULTS_FILE HEADER_FILE
  OUT_DIR      run_all.sh's output dir: load/measurements.tsv, load/fetch_vs_nginx/measurements.tsv,
               restart/figures.tsv, scaling/scaling.tsv, scaling/memtables.tsv, registry_memory.txt
  HEADER_FILE  markdown lines about the run (date, commit, command, load average), put under the title
A figure whose step did not run or failed is shown as "not measured", never guessed.
"""
import csv
import os
import re
import statistics
import sys

BEGIN = "<!-- goal-table:begin (written by bench/run_all.sh through bench/goal_table.py; rerun it) -->"
END = "<!-- goal-table:end -->"
MISSING = "not measured"


def read_rounds(path):
    """figure -> metric -> {round: value} from a measurements.tsv (figure, run, metric, value)."""
    table = {}
    if not os.path.exists(path):
        return table
    with open(path) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                continue
            table.setdefault(row["figure"], {}).setdefault(row["metric"], {})[row["run"]] = value
    return table


def median(values):
    values = list(values)
    return statistics.median(values) if values else None


def fig(table, figure, metric):
    return median(table.get(figure, {}).get(metric, {}).values())


def same_round_ratio(table, f1, m1, f2, m2):
    """Median (min, max) over rounds of f1.m1 / f2.m2 measured in the same round."""
    a = table.get(f1, {}).get(m1, {})
    b = table.get(f2, {}).get(m2, {})
    ratios = sorted(a[r] / b[r] for r in a if r in b and b[r] > 0)
    if not ratios:
        return None
    return statistics.median(ratios), ratios[0], ratios[-1], len(ratios)


def num(value, decimals=0):
    if value is None:
        return MISSING
    return f"{value:,.{decimals}f}"


def ratio_text(r, unit="×"):
    if r is None:
        return MISSING
    m, lo, hi, n = r
    spread = f" ({lo:.2f}–{hi:.2f}, {n} rounds)" if n > 1 else " (1 round)"
    return f"**{m:.2f}{unit}**{spread}"


def verdict(*checks):
    """checks: (value, op, bound); 'not measured' when a value is missing."""
    if any(v is None for v, _, _ in checks):
        return MISSING
    ok = all(v >= b if op == ">=" else v <= b for v, op, b in checks)
    return "**met**" if ok else "**not met**"


def read_kv(path):
    kv = {}
    if os.path.exists(path):
        for line in open(path):
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                try:
                    kv[parts[0]] = float(parts[1])
                except ValueError:
                    pass
    return kv


def main():
    out, results_file, header_file = sys.argv[1:4]
    load = read_rounds(os.path.join(out, "load", "measurements.tsv"))
    fetch = read_rounds(os.path.join(out, "load", "fetch_vs_nginx", "measurements.tsv"))
    restart = read_kv(os.path.join(out, "restart", "figures.tsv"))
    rows = []

    # Durable renew vs the hello anchor.
    rps = same_round_ratio(load, "renew_always", "rps", "hello", "rps")
    cpu = same_round_ratio(load, "renew_always", "cpu_us_per_req", "hello", "cpu_us_per_req")
    rows.append((
        "durable renew (`--sync always`, 10k instances, 64 connections)",
        f"{num(fig(load, 'renew_always', 'rps'))} req/s, {num(fig(load, 'renew_always', 'cpu_us_per_req'), 2)} µs CPU/req",
        f"hello (libuv+llhttp): {num(fig(load, 'hello', 'rps'))} req/s, {num(fig(load, 'hello', 'cpu_us_per_req'), 2)} µs CPU/req",
        f"req/s {ratio_text(rps)}; CPU/req {ratio_text(cpu)}",
        "req/s ≥ 0.7×, CPU/req ≤ 2.5×",
        verdict((rps and rps[0], ">=", 0.7), (cpu and cpu[0], "<=", 2.5)),
    ))

    # Full fetch vs nginx on the same bytes.
    rps = same_round_ratio(fetch, "logbook", "rps", "nginx", "rps")
    cpu = same_round_ratio(fetch, "logbook", "cpu_us", "nginx", "cpu_us")
    rows.append((
        "full fetch `GET /eureka/apps`, 10k instances in 200 apps, JSON gzip",
        f"{num(fig(fetch, 'logbook', 'rps'))} req/s, {num(fig(fetch, 'logbook', 'cpu_us'), 1)} µs CPU/req",
        f"nginx `gzip_static`, same bytes: {num(fig(fetch, 'nginx', 'rps'))} req/s, {num(fig(fetch, 'nginx', 'cpu_us'), 1)} µs CPU/req",
        f"req/s {ratio_text(rps)}; CPU/req {ratio_text(cpu)}",
        "req/s ≥ 0.9×, CPU/req ≤ 1.5×",
        verdict((rps and rps[0], ">=", 0.9), (cpu and cpu[0], "<=", 1.5)),
    ))

    # The same while 1,000 durable renewals/s arrive.
    rps = same_round_ratio(fetch, "logbook_renewing", "rps", "nginx", "rps")
    renewals = fetch.get("renewals", {})
    total = lambda metric: sum(renewals.get(metric, {}).values()) if renewals.get(metric) else None
    sent, ok, non2xx, errors = total("sent"), total("ok"), total("non2xx"), total("errors")
    all_answered = None
    if sent is not None and ok is not None:
        all_answered = 1.0 if sent > 0 and ok == sent and not non2xx and not errors else 0.0
    answered = (f"renewals sent {num(sent)}, answered 200 {num(ok)}, non-2xx {num(non2xx)}, unanswered {num(errors)}"
                if sent is not None else f"renewals {MISSING}")
    rows.append((
        "the same fetch while 1,000 durable renewals/s arrive",
        f"{num(fig(fetch, 'logbook_renewing', 'rps'))} req/s, {num(fig(fetch, 'logbook_renewing', 'cpu_us'), 1)} µs CPU/req; {answered}",
        f"nginx (same rounds): {num(fig(fetch, 'nginx', 'rps'))} req/s",
        f"req/s {ratio_text(rps)}",
        "≥ 0.75×, every renewal answered 200",
        verdict((rps and rps[0], ">=", 0.75), (all_answered, ">=", 1.0)),
    ))

    # Durable register vs etcd.
    rps = same_round_ratio(load, "register_always", "rps", "etcd_put", "rps")
    cpu = same_round_ratio(load, "register_always", "cpu_us_per_req", "etcd_put", "cpu_us_per_req")
    rows.append((
        "durable register of new instances",
        f"{num(fig(load, 'register_always', 'rps'))} req/s, {num(fig(load, 'register_always', 'cpu_us_per_req'), 1)} µs CPU/req",
        f"etcd v3 put, one member: {num(fig(load, 'etcd_put', 'rps'))} req/s, {num(fig(load, 'etcd_put', 'cpu_us_per_req'), 1)} µs CPU/put",
        f"req/s {ratio_text(rps)}; CPU/req {ratio_text(cpu)}",
        "req/s ≥ 4×",
        verdict((rps and rps[0], ">=", 4.0)),
    ))

    # Delta with 1,000 changes: its cost at 100k against at 10k.
    cost = same_round_ratio(fetch, "delta100000", "cpu_us", "delta10000", "cpu_us")
    rows.append((
        "delta `GET /eureka/apps/delta` with 1,000 changes, JSON gzip, 100k instances",
        f"{num(fig(fetch, 'delta100000', 'rps'))} req/s, {num(fig(fetch, 'delta100000', 'cpu_us'), 1)} µs CPU/req",
        f"the same delta at 10k instances: {num(fig(fetch, 'delta10000', 'rps'))} req/s, {num(fig(fetch, 'delta10000', 'cpu_us'), 1)} µs CPU/req",
        f"CPU/req 100k ÷ 10k {ratio_text(cost)}",
        "independent of the registry size: ≤ 1.25×",
        verdict((cost and cost[0], "<=", 1.25)),
    ))

    # Restart to ready, 100k instances + 1M events.
    scale = (f"{num(restart.get('instances'))} instances, {num(restart.get('events'))} events"
             if restart else "100k instances, 1M events")
    for mode, label, extra in (
            ("term", "restart to `/readyz` after SIGTERM", ""),
            ("kill", "restart to `/readyz` after `kill -9`",
             f" ({num(restart.get('tail'))} events to replay, {num((restart.get('wal_bytes') or 0) / 1e6, 1)} MB of WAL)"
             if restart else "")):
        parts, checks = [], []
        anchors = []
        for cache in ("cold", "warm"):
            ready = restart.get(f"{mode}.{cache}.ready_ms")
            read = restart.get(f"{mode}.{cache}.read_ms")
            cpu_ms = restart.get(f"{mode}.{cache}.cpu_ms")
            r = ready / read if ready is not None and read else None
            parts.append(f"{cache}{'-ish' if cache == 'cold' else ''} {num(ready)} ms ({num(cpu_ms)} ms CPU)")
            anchors.append(f"{cache} {num(read, 1)} ms")
            checks += [(ready, "<=", 1000.0), (r, "<=", 5.0)]
            if cache == "cold":
                cold_ratio = r
            else:
                warm_ratio = r
        rows.append((
            f"{label}, {scale}{extra}",
            "; ".join(parts),
            "`cat` of the data dir's files: " + ", ".join(anchors),
            (f"cold-ish **{cold_ratio:.1f}×**, warm **{warm_ratio:.1f}×** (medians of {num(restart.get('restarts'))})"
             if cold_ratio is not None and warm_ratio is not None else MISSING),
            "≤ 1 s and ≤ 5× the `cat`",
            verdict(*checks),
        ))

    # Memory per instance at 100k, caches warm, split.
    scaling = {}
    path = os.path.join(out, "scaling", "scaling.tsv")
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            scaling[int(f[0])] = {"empty": int(f[2]), "seeded": int(f[3]), "warm": int(f[4]),
                                  "gzip_p50": f[13], "per_warm": int(f[6])}
    memtables = {}
    path = os.path.join(out, "scaling", "memtables.tsv")
    if os.path.exists(path):
        for line in open(path):
            n, b = line.split()
            memtables[int(n)] = int(b)
    records = None
    path = os.path.join(out, "registry_memory.txt")
    if os.path.exists(path):
        m = re.search(r"bytes_per_instance=(\d+)", open(path).read())
        records = int(m.group(1)) if m else None
    n = 100000
    if n in scaling:
        s = scaling[n]
        total = (s["warm"] - s["empty"]) * 1024 / n
        documents = (s["warm"] - s["seeded"]) * 1024 / n
        log = memtables.get(n)
        log = log / n if log is not None else None
        rest = total - documents - (records or 0) - (log or 0) if records is not None and log is not None else None
        split = (f"records {num(records)} B (`registry_memory`), fragments + documents {num(documents)} B, "
                 f"log + RocksDB memtables {num(log)} B, rest {num(rest)} B")
        rows.append((
            "memory per instance, 100k instances, JSON+XML plain+gzip fetched",
            f"**{num(total)} B** RSS per instance: {split}",
            f"an empty node: {num(s['empty'] / 1024, 1)} MiB RSS (subtracted)",
            "—",
            "≤ 3 KB (3,072 B)",
            verdict((total, "<=", 3072.0)),
        ))
    else:
        rows.append(("memory per instance, 100k instances, JSON+XML plain+gzip fetched", MISSING, "—", "—",
                     "≤ 3 KB (3,072 B)", MISSING))

    if scaling:
        curve = ", ".join(f"{k // 1000}k: {v['per_warm']:,} B/instance, gzip fetch p50 {v['gzip_p50']} ms"
                          for k, v in sorted(scaling.items()))
        rows.append(("scaling plot, 1k/10k/100k ([`bench/scaling.png`](scaling.png))", curve, "—", "—",
                     "the curve, with the figures", "shown"))
    else:
        rows.append(("scaling plot, 1k/10k/100k ([`bench/scaling.png`](scaling.png))", MISSING, "—", "—",
                     "the curve, with the figures", MISSING))

    lines = [BEGIN, "# Logbook benchmark results", "", "## Goals of issue 6, this run", ""]
    lines += [l.rstrip("\n") for l in open(header_file)]
    lines += ["", "| goal row | Logbook | anchor, same run | ratio | goal | |", "|---|---|---|---|---|---|"]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines += ["", END, ""]
    section = "\n".join(lines)

    try:
        text = open(results_file).read()
    except FileNotFoundError:
        text = ""
    begin = text.find("<!-- goal-table:begin")
    end = text.find(END)
    if begin >= 0 and end > begin:
        text = text[:begin] + section + text[end + len(END):].lstrip("\n")
    else:
        text = section + "\n" + text
    open(results_file, "w").write(text)
    print(section)


if __name__ == "__main__":
    main()
