-- Prints one machine-readable line at the end of a wrk run: requests, duration (us), latency
-- percentiles (us) and errors.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50=%d p99=%d p999=%d mean=%.1f errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
