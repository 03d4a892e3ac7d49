-- wrk script for scripts/bench: prints the figures the scripts read, exactly
-- (latency in microseconds from wrk's histogram, not its rounded report):
-- "moa_bench <name> <value>" lines after wrk's own report. Defines no
-- request() or response(), so wrk sends its plain request at full speed.

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("moa_bench requests %d\n", summary.requests))
  io.write(string.format("moa_bench rps %.1f\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("moa_bench p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("moa_bench p99_ms %.3f\n", latency:percentile(99) / 1000))
  -- Answers of 400 and above, and connections that failed or timed out.
  io.write(string.format("moa_bench errors %d\n",
    errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
