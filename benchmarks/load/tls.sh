#!/usr/bin/env bash
# TLS and HTTP/2 lanes: NGINX and the bench server (edge: the JDK's TLS engine; native: BoringSSL) side by side, proxy on one core,
# load on the other, the same two loopback upstreams, the same kind of certificate (EC P-256, made at
# start) and protocols (TLS 1.3 first, 1.2), alternately over rounds:
#   - TLS keep-alive: wrk over https, CPU µs per request;
#   - full handshakes: h2load, one request per new connection (HTTP/1.1), CPU µs per handshake: all
#     HANDSHAKES clients at once (burst), and paced at PACE new connections per second (paced);
#   - resumed handshakes: openssl s_time -reuse over TLS 1.2 (h2load does not resume sessions; s_time
#     busy-loops on the load core, which does not touch the proxy's own CPU count), CPU µs per handshake;
#   - HTTP/2 over TLS: h2load with 1 and with 10 streams per connection, CPU µs per request;
#   - the same paced new connections over plain HTTP (newconn): what a connection costs without TLS.
# Each server first runs every lane's load (the JIT settles only after some 20,000 new connections).
#
#   benchmarks/load/tls.sh             # about 11 minutes
#   ROUNDS=1 DURATION=3 benchmarks/load/tls.sh
#
# Writes benchmarks/load/results/TLS.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
results="$here/results"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-50}
HANDSHAKES=${HANDSHAKES:-2000}
PACE=${PACE:-1000}
PROXY_CORE=${PROXY_CORE:-1}
LOAD_CORE=${LOAD_CORE:-0}
. "$here/common.sh"
need_commands wrk:wrk nginx:nginx-light taskset:util-linux h2load:nghttp2-client openssl:openssl
bench_jar
work=$(mktemp -d /tmp/edgekit-tls.XXXXXX)
mkdir -p "$results"
start_cleanup
start_upstreams

self_signed_pem

ngx_port=$(free_port); ngx_plain=$(free_port)
{ nginx_preamble nginx-tls; cat <<CONF
http {
  access_log off;
  upstream backends { server 127.0.0.1:$UP_A; server 127.0.0.1:$UP_B; keepalive 64; }
  server {
    listen 127.0.0.1:$ngx_port ssl http2;
    listen 127.0.0.1:$ngx_plain;
$(nginx_tls)
$(nginx_proxy_location)
  }
}
CONF
} > "$work/nginx-tls.conf"
run_nginx nginx-tls "$PROXY_CORE" "$ngx_port"
ngx_pid=$STARTED_PID

edge_tls=$(free_port); edge_plain=$(free_port)
start_java_server "$work/edge.out" "$edge_plain" -jar "$jar" --tls-port "$edge_tls"
edge_pid=$STARTED_PID
wait_port "$edge_tls"
native_tls=$(free_port); native_plain=$(free_port)
start_java_server "$work/native.out" "$native_plain" -jar "$jar" --tls-port "$native_tls" --tls-engine native
native_pid=$STARTED_PID
wait_port "$native_tls"

lane() { # name -> "pid tls-port plain-port"
  case $1 in
    nginx) echo "$ngx_pid $ngx_port $ngx_plain";;
    edge) echo "$edge_pid $edge_tls $edge_plain";;
    native) echo "$native_pid $native_tls $native_plain";;
  esac
}

# h2load_cpu PID PORT COUNT H2LOAD-ARGS...: "req/s cpu_us user_us kernel_us 0" (h2load gives no p99 here);
# SCHEME=http for plain HTTP
h2load_cpu() {
  local pid=$1 port=$2 count=$3 out u0 s0 u1 s1; shift 3
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(taskset -c "$LOAD_CORE" h2load "$@" "${SCHEME:-https}://127.0.0.1:$port/" 2>&1)
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  python3 - "$out" "$u0" "$s0" "$u1" "$s1" "$(getconf CLK_TCK)" "$count" <<'PY'
import re, sys
out, u0, s0, u1, s1, hz, count = sys.argv[1], *map(int, sys.argv[2:7]), int(sys.argv[7])
done = int(re.search(r"requests: \d+ total, \d+ started, (\d+) done", out).group(1))
rate = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
per = lambda ticks: ticks * 1e6 / hz / max(done, 1)
print(f"{rate:.0f} {per(u1 - u0 + s1 - s0):.1f} {per(u1 - u0):.1f} {per(s1 - s0):.1f} 0")
PY
}

# s_time_cpu PID PORT SECONDS S_TIME-ARGS...: "conn/s cpu_us user_us kernel_us 0" per handshake
s_time_cpu() {
  local pid=$1 port=$2 seconds=$3 out u0 s0 u1 s1; shift 3
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  out=$(taskset -c "$LOAD_CORE" openssl s_time -connect "127.0.0.1:$port" -time "$seconds" "$@" 2>&1)
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  python3 - "$out" "$u0" "$s0" "$u1" "$s1" "$(getconf CLK_TCK)" "$seconds" <<'PY'
import re, sys
out, u0, s0, u1, s1, hz, seconds = sys.argv[1], *map(int, sys.argv[2:8])
n = int(re.findall(r"(\d+) connections in \d+ real seconds", out)[-1])
per = lambda ticks: ticks * 1e6 / hz / max(n, 1)
print(f"{n / seconds:.0f} {per(u1 - u0 + s1 - s0):.1f} {per(u1 - u0):.1f} {per(s1 - s0):.1f} 0")
PY
}

: > "$work/tls.txt"
paced=(--h1 -n "$HANDSHAKES" -c "$HANDSHAKES" -m 1 -r $((PACE / 10)) --rate-period 100ms)
for name in nginx edge native; do # warm up: every lane's load, until the JIT has settled
  read -r pid port plain < <(lane $name)
  SCHEME=https measure_cpu "$pid" "$port" 10 > /dev/null
  for _ in 1 2 3 4 5; do h2load_cpu "$pid" "$port" "$HANDSHAKES" --h1 -n "$HANDSHAKES" -c "$HANDSHAKES" > /dev/null; done
  for _ in 1 2 3 4; do h2load_cpu "$pid" "$port" "$HANDSHAKES" "${paced[@]}" > /dev/null; done
  for _ in 1 2 3 4; do SCHEME=http h2load_cpu "$pid" "$plain" "$HANDSHAKES" "${paced[@]}" > /dev/null; done
  s_time_cpu "$pid" "$port" 10 -reuse -tls1_2 > /dev/null
  h2load_cpu "$pid" "$port" 100000 -n 100000 -c 50 -m 10 > /dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for name in nginx edge native; do
    read -r pid port plain < <(lane $name)
    echo "keepalive-$name $(SCHEME=https measure_cpu "$pid" "$port" "$DURATION")" | tee -a "$work/tls.txt"
    echo "handshake-$name $(h2load_cpu "$pid" "$port" "$HANDSHAKES" --h1 -n "$HANDSHAKES" -c "$HANDSHAKES" -m 1)" \
        | tee -a "$work/tls.txt"
    echo "handshake-paced-$name $(h2load_cpu "$pid" "$port" "$HANDSHAKES" "${paced[@]}")" | tee -a "$work/tls.txt"
    echo "newconn-paced-$name $(SCHEME=http h2load_cpu "$pid" "$plain" "$HANDSHAKES" "${paced[@]}")" \
        | tee -a "$work/tls.txt"
    echo "resumed-$name $(s_time_cpu "$pid" "$port" "$DURATION" -reuse -tls1_2)" | tee -a "$work/tls.txt"
    echo "h2-1-$name $(h2load_cpu "$pid" "$port" 100000 -n 100000 -c 50 -m 1)" | tee -a "$work/tls.txt"
    echo "h2-10-$name $(h2load_cpu "$pid" "$port" 200000 -n 200000 -c 20 -m 10)" | tee -a "$work/tls.txt"
  done
done
{
  echo "# TLS and HTTP/2 lanes"
  echo
  echo "\`benchmarks/load/tls.sh\` (ROUNDS=$ROUNDS), $(date -u +%Y-%m-%d): NGINX $(nginx -v 2>&1 | sed 's/.*\///') and the bench"
  echo "server with the JDK's TLS (edge; $(java -version 2>&1 | head -1)) and with BoringSSL (native), EC P-256"
  echo "certificates, the proxy on one core."
  echo "Medians; CPU is µs of the proxy process per request (per handshake for the handshake lanes,"
  echo "HANDSHAKES=$HANDSHAKES new connections with one request each, all at once or paced at $PACE a second;"
  echo "newconn-paced: the same paced over plain HTTP; resumed: TLS 1.2 session resumption by"
  echo "openssl s_time -reuse); h2load and s_time give no p99 (0 here)."
  echo
  median_table "$work/tls.txt" lane
} > "$results/TLS.md"
cat "$results/TLS.md"
