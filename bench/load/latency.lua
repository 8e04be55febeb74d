-- wrk script: no request logic (the path and headers come from wrk's command
-- line, so wrk stays on its static-request fast path); done() prints one
-- "LB_LATENCY key=value ..." line with the latency percentiles in µs, for
-- bench/scaling.sh.
--
--   wrk -t1 -c8 -d10s --timeout 30s -H 'Accept: application/json' -s bench/load/latency.lua http://127.0.0.1:PORT/eureka/apps

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LB_LATENCY requests=%d duration_us=%d bytes=%d non2xx=%d errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
