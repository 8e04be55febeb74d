-- wrk script: Eureka registrations of new, unique instances
-- (POST /eureka/apps/{APP}, JSON), spread over APPS apps.
--
--   wrk -t2 -c64 -d10s --latency -s bench/load/register.lua http://127.0.0.1:PORT -- TAG [APPS]
--
-- Ids are "reg-<TAG>-t<thread>-<n>": setup() numbers the threads and each
-- thread counts its own requests, so no two requests (and no two runs with
-- different TAGs) register the same instance. The body (~800 bytes) matches
-- what bench/seed_instances sends. done() prints one "LB_RESULT ..." line.

local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local tag, apps, n
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function init(args)
  tag = args[1] or tostring(os.time())
  apps = tonumber(args[2] or "100")
  n = 0
end

local template = '{"instance":{"instanceId":"%s","hostName":"%s.bench.local","app":"%s",' ..
  '"ipAddr":"%s","status":"UP","port":{"$":8080,"@enabled":"true"},' ..
  '"securePort":{"$":8443,"@enabled":"false"},' ..
  '"dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},' ..
  '"leaseInfo":{"renewalIntervalInSecs":30,"durationInSecs":90},' ..
  '"vipAddress":"%s","secureVipAddress":"%s","homePageUrl":"http://%s:8080/",' ..
  '"statusPageUrl":"http://%s:8080/actuator/info","healthCheckUrl":"http://%s:8080/actuator/health",' ..
  '"metadata":{"zone":"bench"}}}'

function request()
  n = n + 1
  local id = string.format("reg-%s-t%d-%d", tag, tid or 0, n)
  local app = string.format("REG-%04d", n % apps)
  local ip = string.format("10.%d.%d.%d", (tid or 0) % 256, math.floor(n / 256) % 256, n % 256)
  local body = string.format(template, id, id, app, ip, app, app, ip, ip, ip)
  return wrk.format("POST", "/eureka/apps/" .. app, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "LB_RESULT requests=%d duration_us=%d bytes=%d non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout))
end
