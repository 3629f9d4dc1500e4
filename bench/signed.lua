-- wrk script: POSTs pre-signed, distinct Twilio webhooks read from a file, each sent once.
--   [BENCH_RATE=n] wrk -s bench/signed.lua -t THREADS URL -- REQUEST_FILE THREADS
-- REQUEST_FILE holds "signature<TAB>form body" lines. Thread n of N sends lines n, n+N, ...
-- and stops when its share runs out. With BENCH_RATE (requests/s over all threads, one connection
-- per thread) each thread keeps a fixed schedule and a response's latency is counted from
-- the moment its request was due (open loop: a slow answer does not hide the ones behind it),
-- from the pass's second second on.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } timespec_t;
int clock_gettime(int clock_id, timespec_t *tp);
]]
local ts = ffi.new("timespec_t")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local WARMUP_MS = 1000
local threads = {}
local rate = tonumber(os.getenv("BENCH_RATE") or "")
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests, interval, start, due, threads_n = {}, nil, nil, nil, 1
issued, latencies, statuses, exhausted = 0, {}, {}, false

function init(args)
  local path = args[1]
  threads_n = tonumber(args[2])
  local n = 0
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  for line in io.lines(path) do
    if n % threads_n == wrk.thread:get("id") then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      headers["X-Twilio-Signature"] = signature
      table.insert(requests, wrk.format("POST", nil, headers, body))
    end
    n = n + 1
  end
  if rate then interval = 1000 * threads_n / rate end
end

if rate then -- wrk paces only when a delay() exists
  function delay()
    if not start then start = now_ms() end
    local wait = start + issued * interval - now_ms()
    if wait < 0 then return 0 end
    return wait
  end
end

function request()
  issued = issued + 1
  if issued > #requests then
    exhausted = true
    wrk.thread:stop()
    issued = #requests
    return requests[#requests]
  end
  if interval then
    if not start then start = now_ms() end
    -- One connection per thread, one request at a time: the answer that comes is to the last
    -- request built. (wrk may build one it never sends, e.g. thread 0's first: a queue of due
    -- times would then pair every later answer with the request before it.)
    due = start + (issued - 1) * interval
  end
  return requests[issued]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if interval then
    -- The first second is not counted: sixteen wrk threads reading their requests at once
    -- hold both cores then, and the first answers wait on wrk, not on the server.
    if due and due - start >= WARMUP_MS then table.insert(latencies, now_ms() - due) end
    due = nil
  end
end

function done(summary, latency, _requests)
  local issued_total, ok, other = 0, 0, 0
  local all = {}
  for _, thread in ipairs(threads) do
    issued_total = issued_total + thread:get("issued")
    local s = thread:get("statuses")
    for code, count in pairs(s) do
      if code == 200 or code == 204 then ok = ok + count else other = other + count end
    end
    if thread:get("exhausted") then io.write("EXHAUSTED 1\n") end
    for _, l in ipairs(thread:get("latencies")) do table.insert(all, l) end
  end
  io.write(string.format("ISSUED %d\nOK %d\nNOT_OK %d\n", issued_total, ok, other))
  io.write(string.format("REQUESTS %d\nSECONDS %.3f\nSOCKET_ERRORS %d\n", summary.requests,
    summary.duration / 1e6, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
  io.write(string.format("P50_MS %.3f\nP99_MS %.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  if #all > 0 then
    table.sort(all)
    local function pct(p) return all[math.max(1, math.ceil(#all * p / 100))] end
    io.write(string.format("DUE_P50_MS %.3f\nDUE_P99_MS %.3f\nDUE_MAX_MS %.3f\n", pct(50), pct(99), all[#all]))
  end
end
