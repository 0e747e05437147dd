-- wrk script for the SPEC §3.3 query: POSTs the query and checks every response body
-- byte for byte against the expected body (already checked against the database by
-- check-events-response.py). Mismatches are counted per thread and reported at the end.
--
--   wrk ... -s bench-events.lua URL -- REQUEST.json EXPECTED.json

local threads = {}

local function read(path)
  local f = assert(io.open(path, "rb"))
  local content = f:read("*a")
  f:close()
  return content
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = read(args[1])
  expected = read(args[2])
  checked = 0
  mismatches = 0
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or body ~= expected then
    mismatches = mismatches + 1
  end
end

function done(summary, latency, requests)
  local checked, mismatches = 0, 0
  for _, thread in ipairs(threads) do
    checked = checked + thread:get("checked")
    mismatches = mismatches + thread:get("mismatches")
  end
  io.write(string.format("bodies checked: %d, wrong: %d\n", checked, mismatches))
  io.write(string.format("RESULT requests_per_sec=%.0f p50_ms=%.2f p99_ms=%.2f wrong=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, mismatches))
end
