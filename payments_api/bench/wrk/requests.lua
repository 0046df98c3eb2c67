-- Replays the requests listed in a file, one per line: METHOD <tab> PATH <tab> TOKEN <tab> BODY (token and body
-- may be empty; a token "session:<key>" is sent as the session cookie of a page). Each wrk thread takes every n-th line from its own offset, so no two send the same request
-- (with fewer lines than threads, every thread takes them all), and starts again from the top when it runs out.
-- At the end one JSON line reports the run.
--   wrk -t2 -c8 -d10s -s requests.lua http://127.0.0.1:8000 -- requests.tsv 2

local thread_count = 0

function setup(thread)
  thread:set("offset", thread_count)
  thread_count = thread_count + 1
end

local prepared = {}
local position = 0

local function prepare(line)
  local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
  local headers = {}
  if token:sub(1, 8) == "session:" then headers["Cookie"] = "sessionid=" .. token:sub(9)
  elseif token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
  return wrk.format(method, path, headers, body)
end

function init(args)
  local lines, threads = {}, tonumber(args[2] or "1")
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
  for number, line in ipairs(lines) do
    if #lines < threads or (number - 1) % threads == offset then prepared[#prepared + 1] = prepare(line) end
  end
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
