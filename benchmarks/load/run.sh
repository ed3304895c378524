#!/usr/bin/env bash
# End-to-end load comparison on this machine: the upstreams directly, Edgekit (reverse proxy + round
# robin), Edgekit with its reverse-proxy filters, NGINX, HAProxy and Undertow's ProxyHandler, all in
# front of the same two loopback upstreams, each proxy on one IO thread pinned to one core, the load
# generator and upstreams on the other. Contenders are interleaved round by round.
#
#   benchmarks/load/run.sh            # about 8 minutes
#   ROUNDS=1 DURATION=5 benchmarks/load/run.sh   # a quick look
#
# Writes benchmarks/load/results/RESULTS.md, results.json and chart.svg.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results="$here/results"
work=$(mktemp -d /tmp/edgekit-load.XXXXXX)
mkdir -p "$results"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-5}
JVM_WARMUP=${JVM_WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-50}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}

. "$here/common.sh"
need_commands wrk:wrk nginx:nginx-light haproxy:haproxy taskset:util-linux
bench_jar

start_cleanup

# --- the two upstreams, the same for every contender ---
start_upstreams

# --- the contenders, each on the proxy core with one IO thread ---
declare -A PORT PID
start_java edgekit -jar "$jar"
start_java edgekit-filters -jar "$jar" --filters
start_java undertow-proxy -cp "$jar" io.edgekit.benchmarks.proxy.UndertowProxyServer

start_nginx_proxy nginx
PORT[nginx]=$STARTED_PORT
PID[nginx]=$STARTED_PID

HAPROXY_PORT=$(free_port)
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  option forwardfor
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend be
backend be
  balance roundrobin
  http-reuse always
  server a 127.0.0.1:$UP_A
  server b 127.0.0.1:$UP_B
CONF
taskset -c "$PROXY_CORE" haproxy -f "$work/haproxy.cfg" -db > "$work/haproxy.out" 2>&1 &
pids+=($!); PID[haproxy]=$!
PORT[haproxy]=$HAPROXY_PORT
wait_port "$HAPROXY_PORT"

PORT[direct]=$UP_A
PID[direct]=""
contenders=(direct edgekit edgekit-filters nginx haproxy undertow-proxy)

cpu_ticks() { # utime + stime of a pid, in clock ticks
  [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0
}

run_wrk() { # contender duration script [args]
  local name=$1 duration=$2 script=$3; shift 3
  taskset -c "$LOAD_CORE" wrk -t1 -c"$CONNECTIONS" -d"${duration}s" -s "$here/$script" \
      "http://127.0.0.1:${PORT[$name]}/" "$@" 2>&1 | grep '^RESULT' || echo "RESULT requests=0 duration_us=1 p50=0 p99=0 p999=0 mean=0 errors=1 non2xx=0"
}

# The JVM contenders get longer: their JIT compilers keep compiling (and stalling the pinned core for
# milliseconds at a time) for about half a minute of load; measured sooner, their tails are warm-up.
echo "warming up every contender (${WARMUP}s x 2 each, the JVM ones ${JVM_WARMUP}s in all)"
for name in "${contenders[@]}"; do
  case "$name" in
    edgekit*|undertow-proxy) total=$JVM_WARMUP ;;
    *) total=$((2 * WARMUP)) ;;
  esac
  while [ "$total" -gt 0 ]; do
    run_wrk "$name" "$WARMUP" report.lua >/dev/null
    total=$((total - WARMUP))
  done
done

raw="$work/raw.txt"
: > "$raw"
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$ROUNDS"); do
  # rotate the order each round so no contender always runs first or last
  order=("${contenders[@]:$(( (round - 1) % ${#contenders[@]} ))}" "${contenders[@]:0:$(( (round - 1) % ${#contenders[@]} ))}")
  for name in "${order[@]}"; do
    before=$(cpu_ticks "${PID[$name]}")
    line=$(run_wrk "$name" "$DURATION" report.lua)
    after=$(cpu_ticks "${PID[$name]}")
    echo "saturation round=$round name=$name cpu_ticks=$((after - before)) hz=$hz $line" | tee -a "$raw"
  done
done

# fixed rate: half of NGINX's median saturation rate, the same for every contender
nginx_rps=$(python3 - "$raw" <<'PY'
import re, statistics, sys
rates = []
for line in open(sys.argv[1]):
    if " name=nginx " in line and line.startswith("saturation"):
        f = dict(re.findall(r"(\w+)=([\d.]+)", line))
        rates.append(float(f["requests"]) / (float(f["duration_us"]) / 1e6))
print(int(statistics.median(rates)) if rates else 10000)
PY
)
rate=$(( nginx_rps / 2 ))
delay_ms=$(python3 -c "print(max(1, round(1000 * $CONNECTIONS / max($rate, 1))))")
echo "fixed rate: about $rate req/s (each of $CONNECTIONS connections every ${delay_ms} ms)"
# a paced warm-up first: the JVM contenders' first paced run after saturation had p99 of 3 ms and more
# (code compiled for a saturated loop meets the paced one's branches and is compiled again), the next
# ones under 1 ms; every contender gets it alike
for name in "${contenders[@]}"; do
  run_wrk "$name" "$WARMUP" paced.lua "$delay_ms" >/dev/null
done
# as many rounds as at saturation, interleaved and rotated the same way: one paced run's tail moves a
# lot from run to run, so the report takes each contender's median (and the median of its per-round
# latency added over the upstreams reached directly in the same round)
for round in $(seq 1 "$ROUNDS"); do
  order=("${contenders[@]:$(( (round - 1) % ${#contenders[@]} ))}" "${contenders[@]:0:$(( (round - 1) % ${#contenders[@]} ))}")
  for name in "${order[@]}"; do
    line=$(run_wrk "$name" "$DURATION" paced.lua "$delay_ms")
    echo "paced round=$round name=$name rate=$rate $line" | tee -a "$raw"
  done
done

for name in "${contenders[@]}"; do
  pid=${PID[$name]}
  rss=0
  [ -n "$pid" ] && rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
  echo "rss name=$name kb=$rss" | tee -a "$raw"
done

cp "$raw" "$results/raw.txt"
python3 "$here/report.py" "$raw" "$results" "$ROUNDS" "$DURATION" "$CONNECTIONS" "$WARMUP" "$JVM_WARMUP"
echo "wrote $results/RESULTS.md, $results/results.json and $results/chart.svg"
