-- wrk script: Eureka renewals (PUT /eureka/apps/{APP}/{ID}) spread over N
-- pre-registered instances (bench/seed_instances names them: instance k is app
-- "<APP_PREFIX>-<k % APPS, 4 digits>", id "<ID_PREFIX>-<k, 8 digits>").
--
--   wrk -t2 -c64 -d10s --latency -s bench/load/renew.lua http://127.0.0.1:PORT -- N APPS [APP_PREFIX] [ID_PREFIX]
--
-- Every request line is built once per thread in init(), so request() costs a
-- table lookup: wrk shares the CPUs with the server and must stay cheap. Each
-- thread starts at its own offset and walks all N instances round-robin.
-- done() prints one "LB_RESULT key=value ..." line; non2xx counts every reply
-- outside 200-399 (404 here means the instance was not seeded or was evicted).

local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local requests, count, pos

function init(args)
  local n = tonumber(args[1] or "10000")
  local apps = tonumber(args[2] or "100")
  local app_prefix = args[3] or "BENCH"
  local id_prefix = args[4] or "i"
  requests = {}
  local headers = { ["Accept"] = "application/json", ["Content-Length"] = "0" }
  for k = 0, n - 1 do
    local path = string.format("/eureka/apps/%s-%04d/%s-%08d", app_prefix, k % apps, id_prefix, k)
    requests[k + 1] = wrk.format("PUT", path, headers)
  end
  count = n
  -- setup() of later threads has not run yet, so the thread count is unknown:
  -- spread the starting points by the golden ratio instead.
  local t = (tid or 0) * 0.6180339887
  pos = math.floor((t - math.floor(t)) * n)
end

function request()
  pos = pos + 1
  if pos > count then pos = 1 end
  return requests[pos]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LB_RESULT requests=%d duration_us=%d bytes=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout))
end

-- LB_PACE_MS=N in the environment: each connection waits N ms between its
-- requests (a light, steady load: bench/snapshot_stall.sh), instead of
-- sending as fast as replies come back.
local pace = tonumber(os.getenv("LB_PACE_MS") or "")
if pace and pace > 0 then
  function delay()
    return pace
  end
end
