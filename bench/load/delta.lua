-- wrk script: delta fetch, GET /eureka/apps/delta as gzipped JSON (what a
-- Eureka client does every 30 s once it holds the registry).
--
--   wrk -t2 -c64 -d10s --latency -s bench/load/delta.lua http://127.0.0.1:PORT
--
-- A static request (no request() function) keeps wrk on its fast path.
-- done() prints one "LB_RESULT ..." line; bytes/requests is the reply size
-- on the wire (gzip body plus head).

wrk.method = "GET"
wrk.path = "/eureka/apps/delta"
wrk.headers["Accept"] = "application/json"
wrk.headers["Accept-Encoding"] = "gzip"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LB_RESULT requests=%d duration_us=%d bytes=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout))
end
