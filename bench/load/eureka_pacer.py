#!/usr/bin/env python3
"""Paced Eureka writes over keep-alive connections, open loop, for the fetch benchmark
(bench/fetch_vs_nginx.sh): wrk has no clock in Lua, so it cannot hold a rate.

  eureka_pacer.py renew  PORT --rate 1000 --seconds 10 --instances N --apps A [--connections 16]
                         [--id-prefix i]
      PUT /eureka/apps/{APP}/{ID} at RATE per second, round-robin over the instances
      bench/seed_instances registered (app BENCH-<k % A, 4 digits>, id <id-prefix>-<k, 8 digits>).
  eureka_pacer.py status PORT --count 1000 --instances N --apps A [--value OUT_OF_SERVICE]
      PUT .../status?value=VALUE on COUNT instances spread over the registry, as fast as
      replies come (one connection, one request in flight): the changes of a delta window.

Prints one line: LB_PACER sent=.. answered=.. ok=.. non2xx=.. errors=.. late=.. rate=.. p50_ms=..
p99_ms=..; exits 1 unless every request was answered with 2xx. A send is "late" when it
leaves more than 5 ms after its scheduled time because every connection still waited for a reply
(the schedule does not slip: late sends go as soon as a connection is free).
"""
import argparse
import selectors
import socket
import sys
import time


def path_of(k, apps, id_prefix="i"):
    return "/eureka/apps/BENCH-%04d/%s-%08d" % (k % apps, id_prefix, k)


class Connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        self.buffer = b""
        self.sent_at = None  # None: free

    def send(self, target):
        request = ("PUT %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                   "Content-Length: 0\r\n\r\n" % target).encode()
        self.sock.sendall(request)  # small; the socket buffer takes it whole
        self.sent_at = time.monotonic()

    def read_replies(self):
        """Statuses of the complete replies read now; raises on EOF."""
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("closed by the server")
        self.buffer += data
        statuses = []
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                break
            self.buffer = self.buffer[end + 4 + length:]
            statuses.append(int(head[0].split()[1]))
        return statuses


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))]


def run(args):
    if args.mode == "renew":
        total = int(args.rate * args.seconds)
        interval = 1.0 / args.rate
        connections = [Connection(args.port) for _ in range(args.connections)]
        targets = [path_of(i % args.instances, args.apps, args.id_prefix) for i in range(total)]
    else:
        total = args.count
        interval = 0.0
        connections = [Connection(args.port)]
        step = max(1, args.instances // max(1, args.count))
        targets = ["%s/status?value=%s" % (path_of((i * step) % args.instances, args.apps,
                                                   args.id_prefix), args.value)
                   for i in range(total)]
    selector = selectors.DefaultSelector()
    for c in connections:
        selector.register(c.sock, selectors.EVENT_READ, c)
    start = time.monotonic()
    sent = answered = ok = non2xx = errors = late = 0
    latencies = []
    backlog = 0  # scheduled sends waiting for a free connection
    next_index = 0
    deadline = start + (args.seconds if args.mode == "renew" else 600) + 30
    while answered < total and time.monotonic() < deadline:
        now = time.monotonic()
        due = total if interval == 0 else min(total, int((now - start) / interval) + 1)
        backlog = due - next_index
        for c in connections:
            if backlog <= 0:
                break
            if c.sent_at is None:
                if interval and now - (start + next_index * interval) > 0.005:
                    late += 1
                c.send(targets[next_index])
                next_index += 1
                sent += 1
                backlog -= 1
        if interval:
            wait = max(0.0, start + next_index * interval - time.monotonic())
        else:
            wait = 1.0
        for key, _ in selector.select(timeout=min(wait, 1.0) if backlog <= 0 else 0.001):
            c = key.data
            try:
                statuses = c.read_replies()
            except (ConnectionError, OSError):
                selector.unregister(c.sock)
                connections.remove(c)
                if not connections:
                    break
                continue
            for status in statuses:
                latencies.append((time.monotonic() - c.sent_at) * 1000)
                c.sent_at = None
                answered += 1
                if 200 <= status < 300:
                    ok += 1
                else:
                    non2xx += 1
        if not connections:
            break
    elapsed = time.monotonic() - start
    errors = total - answered  # refused, cut off or never answered
    print("LB_PACER sent=%d answered=%d ok=%d non2xx=%d errors=%d late=%d rate=%.0f p50_ms=%.3f p99_ms=%.3f"
          % (sent, answered, ok, non2xx, errors, late, answered / elapsed if elapsed > 0 else 0,
             percentile(latencies, 50), percentile(latencies, 99)))
    return 0 if ok == total else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["renew", "status"])
    parser.add_argument("port", type=int)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=10000)
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--value", default="OUT_OF_SERVICE")
    parser.add_argument("--id-prefix", default="i", help="seed_instances --id-prefix")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
