-- wrk script for the overload scenario: many people, not one client with many connections.
-- Each request goes out as one of the accounts in the file BENCH_TOKENS (one token a line)
-- and from one of BENCH_CLIENTS addresses (X-Forwarded-For, believed by an nginx that
-- trusts the load generator as its proxy). The requests are built once per thread and
-- cycled, and responses are not inspected (statuses come from nginx's access log), so the
-- load generator costs as little CPU as it can: it shares this machine with the servers.
local requests = {}
local next_request = 1

function init(args)
  local tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  local clients = tonumber(os.getenv("BENCH_CLIENTS") or "2000")
  local count = math.max(clients, #tokens)
  for i = 0, count - 1 do
    local client = i % clients
    requests[#requests + 1] = wrk.format("GET", wrk.path, {
      ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1],
      ["Accept"] = "application/json",
      ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(client / 65536) % 256,
        math.floor(client / 256) % 256, client % 256),
    })
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  next_request = math.random(1, #requests)
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'OVERLOAD {"requests": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d, "status_errors": %d, "duration_us": %d}\n',
    summary.requests, e.connect, e.read, e.write, e.timeout, e.status, summary.duration))
end
