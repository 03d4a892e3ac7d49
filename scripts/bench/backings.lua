-- wrk script for the backings benchmark (bench_backings in
-- scripts/bench/lib.sh): every request is a backing by a backer who has not
-- backed before (one bearer token per request, from $MOA_BENCH_TOKENS), of
-- one project or of the projects round robin ($MOA_BENCH_PROJECTS,
-- comma-separated ids). Counts answers by status so the script can prove
-- every request was a backing (201), not a refusal.
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("MOA_BENCH_TOKENS")) do
    tokens[#tokens + 1] = line
  end
  projects = {}
  for id in string.gmatch(os.getenv("MOA_BENCH_PROJECTS"), "%d+") do
    projects[#projects + 1] = id
  end
  stride = tonumber(os.getenv("MOA_BENCH_THREADS"))
  next_index = offset + 1
  statuses = {}
  exhausted = 0
end

function request()
  local token = tokens[next_index]
  if token == nil then
    exhausted = exhausted + 1
    token = "exhausted"
  end
  local project = projects[(next_index % #projects) + 1]
  next_index = next_index + stride
  return wrk.format("POST", "/api/v1/posts/" .. project .. "/backings", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, "{}")
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counted = thread:get("statuses")
    for status, count in pairs(counted) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\n", status, count))
  end
  -- The same figures as figures.lua prints; an answer other than 201 is
  -- an error here, a refusal instead of a backing.
  local created = totals[201] or 0
  local errors = summary.errors
  io.write(string.format("moa_bench requests %d\n", summary.requests))
  io.write(string.format("moa_bench rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("moa_bench p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("moa_bench p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("moa_bench errors %d\n", summary.requests - created
    + errors.connect + errors.read + errors.write + errors.timeout))
end
