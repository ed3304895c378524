-- A fixed request rate: each connection waits delay_ms between requests (wrk -s paced.lua -- DELAY_MS).
local delay_ms = 10

init = function(args)
  delay_ms = tonumber(args[1]) or delay_ms
end

delay = function()
  return delay_ms
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50=%d p99=%d p999=%d mean=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
